#!/usr/bin/env bash
# The LibreChat guide's quick-setup loop, as a person runs it: one `aws bedrock create-inference-profile` per
# model, the profile name made from the model ID, the ARN printed for .env. The benchmark runs it against the
# same emulator as the role, to compare the two. Usage: seed-loop.sh REGION ACCOUNT MODEL...
set -euo pipefail
REGION=$1 ACCOUNT=$2
shift 2
for MODEL in "$@"; do
  NAME="LibreChat-${MODEL//[.:]/-}"
  if [[ $MODEL == *.*.* ]]; then
    SOURCE="arn:aws:bedrock:${REGION}:${ACCOUNT}:inference-profile/${MODEL}"
  else
    SOURCE="arn:aws:bedrock:${REGION}::foundation-model/${MODEL}"
  fi
  ARN=$(aws bedrock create-inference-profile --region "$REGION" \
    --inference-profile-name "$NAME" \
    --description "Custom inference profile for ${NAME}" \
    --model-source "copyFrom=${SOURCE}" \
    --tags key=Application,value=LibreChat \
    --query inferenceProfileArn --output text)
  echo "${MODEL} -> ${ARN}"
done
