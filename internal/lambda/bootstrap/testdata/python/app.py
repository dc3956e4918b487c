"""Python handlers for the Python runtime's tests, one function per case."""

import decimal
import logging
import os

print("loading app.py")


def handler(event, context):
    return {"kind": "python", "echo": event, "requestId": context.aws_request_id}


def fail(event, context):
    raise ValueError("bad value: " + str(event.get("n")))


def key_error(event, context):
    return event["action"]


def nested(event, context):
    return helper(event)


def helper(event):
    raise RuntimeError("deep down")


def context_fields(event, context):
    return {
        "aws_request_id": context.aws_request_id,
        "invoked_function_arn": context.invoked_function_arn,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "remaining": context.get_remaining_time_in_millis(),
        "cognito_identity_id": context.identity.cognito_identity_id,
        "client_custom": context.client_context.custom if context.client_context else None,
        "trace_id": os.environ.get("_X_AMZN_TRACE_ID"),
        "execution_env": os.environ.get("AWS_EXECUTION_ENV"),
    }


def log(event, context):
    print("hello", event["name"])
    logger = logging.getLogger()
    logger.info("not shown: the root logger is at WARNING")
    logger.warning("careful %s", "now")
    return "logged"


def unserializable(event, context):
    return {"tags": {"a", "b"}}


def decimals(event, context):
    return {"whole": decimal.Decimal("3"), "part": decimal.Decimal("2.5")}


def nothing(event, context):
    pass
