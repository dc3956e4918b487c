# A Python handler run by Portico's built-in Python runtime.
import json


def handler(event, context):
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": json.dumps({"path": event["rawPath"], "function": context.function_name,
                            "requestId": context.aws_request_id}),
    }
