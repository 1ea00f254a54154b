/** The sample job from the API sheet (spotfire-api.md), byte for byte. */
export const SAMPLE_JOB = `<?xml version="1.0" encoding="utf-8"?>
<as:Job xmlns:as="urn:tibco:spotfire.dxp.automation">
  <as:Tasks>
    <OpenAnalysisFromLibrary xmlns="urn:tibco:spotfire.dxp.automation.tasks">
      <as:Title>Open the weekly sales analysis</as:Title>
      <AnalysisPath>/Sales/Weekly overview</AnalysisPath>
      <ConfigurationBlock>Region="EMEA"; SetPage(pageTitle="Summary");</ConfigurationBlock>
    </OpenAnalysisFromLibrary>
    <SaveAnalysisToLibrary xmlns="urn:tibco:spotfire.dxp.automation.tasks">
      <as:Title>Save with fresh data</as:Title>
      <LibraryPath>/Sales/Weekly overview (refreshed)</LibraryPath>
      <EmbedData>true</EmbedData>
      <DeleteExistingBookmarks>false</DeleteExistingBookmarks>
      <AnalysisDescription>Refreshed by job {jobid}</AnalysisDescription>
    </SaveAnalysisToLibrary>
  </as:Tasks>
</as:Job>
`

/** A job whose configuration block takes a variable. */
export const JOB_WITH_REGION = `<as:Job xmlns:as="urn:tibco:spotfire.dxp.automation">
  <as:Tasks>
    <OpenAnalysisFromLibrary xmlns="urn:tibco:spotfire.dxp.automation.tasks">
      <as:Title>Open</as:Title>
      <AnalysisPath>/Sales/Weekly overview</AnalysisPath>
      <ConfigurationBlock>Region="\${REGION}";</ConfigurationBlock>
    </OpenAnalysisFromLibrary>
  </as:Tasks>
</as:Job>
`

export const JOB_ID = '7d5cf4e0-9106-4884-8fba-cc3065428382'
export const LIBRARY_ID = '3f0f3a53-1c1b-4a5e-9f6e-0a1b2c3d4e5f'

/**
 * A self-signed test CA certificate (openssl req -x509 -newkey ec, CN=Unit Test CA), only ever parsed.
 */
export const TEST_CA_PEM = `-----BEGIN CERTIFICATE-----
MIIBhDCCASugAwIBAgIUSnrPVk5HFmaFQCH3KDW4l5Cd2qEwCgYIKoZIzj0EAwIw
FzEVMBMGA1UEAwwMVW5pdCBUZXN0IENBMCAXDTI2MTEyOTAxMTIxNFoYDzIxMjYx
MTA1MDExMjE0WjAXMRUwEwYDVQQDDAxVbml0IFRlc3QgQ0EwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAATlBac21/m1NuhEFfAA85NR4rklg8r7OuSxaRJ81dZOxe08
D0rxDNEYwUWOJsah8cHNMZqhKFFjYyZwrJD7Ad6Vo1MwUTAdBgNVHQ4EFgQU/O8V
9wLGVOy562CTJKoq40ezPr8wHwYDVR0jBBgwFoAU/O8V9wLGVOy562CTJKoq40ez
Pr8wDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiBxZUTADaRrc5Ho
+MiqZm+sZumwM0sJMuWRn5oyHJ+qrgIgPV190bogats/4o8NTFpyOOc5ucMuFf7q
hC3QDUClpEA=
-----END CERTIFICATE-----
`
