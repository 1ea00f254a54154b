#!/usr/bin/env bash
# Releases the action: tests it, sets the version, commits, tags vX.Y.Z and moves the major tag.
#
# Usage:
#   scripts/release.sh 1.2.3
#
# Run it from a clean checkout of main (anywhere inside the repository). It:
#   1. refuses a version that is not MAJOR.MINOR.PATCH (pre-releases are not handled here), a
#      dirty working tree (untracked files included), a branch other than main, a version that is
#      not greater than the latest vX.Y.Z tag, and a CHANGELOG.md without a "## [1.2.3]" section;
#   2. runs `npm ci && npm test` and checks that dist/ is exactly what `npm run bundle` makes;
#   3. sets the version in package.json, package-lock.json (npm version --no-git-tag-version) and
#      src/shared/version.ts, rebuilds dist/, and commits "Release v1.2.3" (nothing to commit if
#      they already say 1.2.3);
#   4. creates the annotated tag v1.2.3 and moves the major tag (v1) to it;
#   5. prints the git push commands. It pushes nothing: read them, then run them yourself.
#
# Before running it, move the CHANGELOG.md entries from "## [Unreleased]" to a new
# "## [1.2.3] - YYYY-MM-DD" section and commit that.
#
# Exit status: 0 released locally, 1 refused or failed, 2 usage error.
set -euo pipefail

die() {
  echo "release: $*" >&2
  exit 1
}

usage() {
  echo "Usage: scripts/release.sh MAJOR.MINOR.PATCH   (for example: scripts/release.sh 1.2.3)" >&2
  exit 2
}

# version_gt A B: true when version A (X.Y.Z) is greater than version B (X.Y.Z).
version_gt() {
  local a_major a_minor a_patch b_major b_minor b_patch
  IFS=. read -r a_major a_minor a_patch <<<"$1"
  IFS=. read -r b_major b_minor b_patch <<<"$2"
  if ((10#$a_major != 10#$b_major)); then
    ((10#$a_major > 10#$b_major))
  elif ((10#$a_minor != 10#$b_minor)); then
    ((10#$a_minor > 10#$b_minor))
  else
    ((10#$a_patch > 10#$b_patch))
  fi
}

# --- Arguments -------------------------------------------------------------------------------

if [[ $# -ne 1 || "$1" == -h || "$1" == --help ]]; then
  usage
fi
version="${1#v}"
semver='^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$'
if [[ ! "$version" =~ $semver ]]; then
  die "'$1' is not a release version: expected MAJOR.MINOR.PATCH, such as 1.2.3."
fi
major="${version%%.*}"
tag="v$version"
major_tag="v$major"

# --- Repository state ------------------------------------------------------------------------

root="$(git rev-parse --show-toplevel 2>/dev/null)" || die "not inside a git repository."
cd "$root"

if [[ -n "$(git status --porcelain --untracked-files=all)" ]]; then
  git status --short >&2
  die "the working tree is not clean: commit or stash the changes above first."
fi

branch="$(git symbolic-ref --quiet --short HEAD || true)"
if [[ "$branch" != main ]]; then
  die "releases are made from main, but HEAD is ${branch:-detached}."
fi

if git rev-parse --quiet --verify "refs/tags/$tag" >/dev/null; then
  die "the tag $tag already exists."
fi

latest=""
while IFS= read -r existing; do
  candidate="${existing#v}"
  if [[ "$candidate" =~ $semver ]] && { [[ -z "$latest" ]] || version_gt "$candidate" "$latest"; }; then
    latest="$candidate"
  fi
done < <(git tag --list 'v*')
if [[ -n "$latest" ]] && ! version_gt "$version" "$latest"; then
  die "$version is not greater than the latest release, v$latest."
fi

if [[ ! -f CHANGELOG.md ]]; then
  die "there is no CHANGELOG.md."
fi
if ! grep -Eq "^## \[${version//./\\.}\]" CHANGELOG.md; then
  die "CHANGELOG.md has no '## [$version] - YYYY-MM-DD' section: move the Unreleased entries there and commit it."
fi

echo "== Releasing $tag (latest release: ${latest:+v}${latest:-none}; major tag: $major_tag)"

# --- Build and test --------------------------------------------------------------------------

echo "== npm ci && npm test"
npm ci
npm test

echo "== dist/ must be exactly what npm run bundle makes from src/"
if [[ -n "$(git status --porcelain -- dist/)" ]]; then
  git status --short -- dist/ >&2
  die "dist/ differs from a fresh 'npm run bundle': commit the rebuilt dist/ first."
fi
if [[ -n "$(git status --porcelain --untracked-files=all)" ]]; then
  git status --short >&2
  die "the tests left changes in the working tree (above): clean them up first."
fi

# --- Version, commit, tags -------------------------------------------------------------------

echo "== Setting the version to $version"
npm version "$version" --no-git-tag-version --allow-same-version >/dev/null
# The bundles carry the version (--version, the first log line, the User-Agent): rebuild them.
sed -i.bak "s/^export const VERSION = '.*'/export const VERSION = '$version'/" src/shared/version.ts
rm -f src/shared/version.ts.bak
npm run bundle
git add package.json package-lock.json src/shared/version.ts dist
if git diff --cached --quiet; then
  echo "package.json already says $version: tagging HEAD."
else
  git commit --quiet -m "Release $tag"
fi

git tag -a "$tag" -m "Release $tag"
git tag -fa "$major_tag" -m "Update $major_tag to $tag" "$tag^{commit}"

echo
echo "Released $tag locally and moved $major_tag to it. Check them, then push:"
echo
echo "  git push origin main $tag"
echo "  git push origin $major_tag --force"
