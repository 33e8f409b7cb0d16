"""Send ConverseStream requests the way a streaming LibreChat chat does and print the usage Bedrock reported, as
JSON: {"answers": N, "input_tokens": N, "output_tokens": N, "latency_ms": N}. boto3 finds the endpoint and the
credentials in the environment (AWS_ENDPOINT_URL against the emulator)."""

import json
import sys

import boto3


def main(region, target, count):
    runtime = boto3.client("bedrock-runtime", region_name=region)
    totals = {"answers": 0, "input_tokens": 0, "output_tokens": 0, "latency_ms": 0}
    for _request in range(count):
        answer = runtime.converse_stream(
            modelId=target,
            messages=[{"role": "user", "content": [{"text": "Reply with the single word OK."}]}],
            inferenceConfig={"maxTokens": 16},
        )
        for event in answer["stream"]:
            if "metadata" in event:
                totals["answers"] += 1
                totals["input_tokens"] += event["metadata"]["usage"]["inputTokens"]
                totals["output_tokens"] += event["metadata"]["usage"]["outputTokens"]
                totals["latency_ms"] += event["metadata"]["metrics"]["latencyMs"]
    print(json.dumps(totals))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
