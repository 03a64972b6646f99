#!/usr/bin/env bash
# The tests and the example apps once more against the newest aws-cdk-lib on the npm registry (the main
# run uses the minimum the package supports, its pinned development version). The lock file and
# package.json are left as they are; node_modules is restored with `npm ci` at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
minimum=$(node -p "require('aws-cdk-lib/package.json').version")
npm install --no-save --no-audit --no-fund aws-cdk-lib@latest
newest=$(node -p "require('aws-cdk-lib/package.json').version")
echo "aws-cdk-lib: minimum ${minimum}, newest ${newest}"
status=0
npm test || status=$?
if [ "$status" -eq 0 ]; then npm run example || status=$?; fi
npm ci --no-audit --no-fund > /dev/null
if [ "$status" -ne 0 ]; then
  echo "The tests or the examples fail with aws-cdk-lib ${newest}"
  exit "$status"
fi
echo "tests and examples pass with aws-cdk-lib ${minimum} and ${newest}"
