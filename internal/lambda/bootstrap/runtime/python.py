"""Portico's runtime for Python handlers.

Portico starts `python3 -u` on this file with the environment of a Lambda
function; it imports the handler named by _HANDLER ("module.function",
"pkg.mod.function" or "pkg/mod.function") from LAMBDA_TASK_ROOT and runs it
once per invocation it takes from the Lambda Runtime API at
$AWS_LAMBDA_RUNTIME_API, the way Lambda's managed Python runtime does:

  GET  /2018-06-01/runtime/invocation/next          the next event
  POST /2018-06-01/runtime/invocation/{id}/response  its result
  POST /2018-06-01/runtime/invocation/{id}/error     its failure
  POST /2018-06-01/runtime/init/error                a failure to import

Behaviour follows AWS's documentation (docs.aws.amazon.com/lambda/latest/dg/
runtimes-api.html, python-handler.html, python-context.html,
python-exceptions.html, python-logging.html). Written for Portico with the
standard library only; not a copy of AWS's runtime interface client.
"""

import decimal
import http.client
import importlib
import json
import logging
import os
import sys
import time
import traceback

RUNTIME = "/2018-06-01/runtime"
THIS_FILE = os.path.abspath(__file__)


class Fault(Exception):
    """A failure that Lambda's runtime names itself (Runtime.ImportModuleError, ...)."""

    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace or []


def error_body(message, error_type, stack_trace, request_id=""):
    """The error document Lambda's Python runtime reports, members in its order."""
    return {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": stack_trace,
    }


def error_from_exception(exc, request_id=""):
    """An exception's error document: its class name, str(), and the frames
    of the traceback below this runtime's own, formatted as the traceback
    module formats them ("  File \"...\", line N, in fn\\n    code\\n")."""
    frames = list(traceback.extract_tb(exc.__traceback__))
    while frames and frames[0].filename == THIS_FILE:
        frames = frames[1:]
    return error_body(str(exc), type(exc).__name__, traceback.format_list(frames), request_id)


def log_error(body):
    """Write the error to the function's log as Lambda does: one line, the
    traceback's lines joined by carriage returns."""
    head = "[ERROR]"
    if body["errorType"]:
        head += " " + body["errorType"] + (":" if body["errorMessage"] else "")
    if body["errorMessage"]:
        head += " " + body["errorMessage"]
    lines = [head]
    if body["stackTrace"]:
        lines.append("Traceback (most recent call last):")
        for entry in body["stackTrace"]:
            lines.extend(entry.splitlines())
    sys.stdout.write("\r".join(lines) + "\n")


# ---- logging --------------------------------------------------------------
#
# print() goes to stdout as it is (python3 -u: unbuffered). The logging
# module's root logger gets a handler that writes Lambda's format,
# "[LEVEL]\t{UTC time}Z\t{request id}\t{message}"; the root level stays
# Python's default (WARNING), as on Lambda, until the handler sets it.

current_request_id = None


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = current_request_id
        return True


def setup_logging():
    handler = logging.StreamHandler(sys.stdout)
    formatter = logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
        "%Y-%m-%dT%H:%M:%S",
    )
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    handler.terminator = ""
    handler.addFilter(_RequestIdFilter())
    logging.getLogger().addHandler(handler)


# ---- the Runtime API ------------------------------------------------------


class RuntimeAPI:
    """One kept-open HTTP connection to the Runtime API."""

    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self.host = host.strip("[]")
        self.port = int(port)
        self.conn = None

    def call(self, method, path, body=None, headers=None):
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port)
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                res = self.conn.getresponse()
                return res.status, res.headers, res.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The kept-open connection was closed meanwhile: one new try.
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise

    def next(self):
        status, headers, body = self.call("GET", RUNTIME + "/invocation/next")
        if status != 200:
            raise RuntimeError("GET %s/invocation/next answered %d: %r" % (RUNTIME, status, body))
        return headers, body

    def post(self, path, payload, headers=None):
        all_headers = {"Content-Type": "application/json"}
        all_headers.update(headers or {})
        status, _, body = self.call("POST", path, payload, all_headers)
        if status != 202:
            # The platform settled the invocation its own way (a response
            # too large, an invocation already timed out): say so, carry on.
            sys.stderr.write("portico python runtime: POST %s answered %d: %r\n" % (path, status, body))

    def post_error(self, path, body):
        error_type = body["errorType"].encode("ascii", "backslashreplace").decode("ascii")
        self.post(path, to_json(body).encode("utf-8"), {"Lambda-Runtime-Function-Error-Type": error_type})


class _Encoder(json.JSONEncoder):
    # [I] A Decimal (what boto3's DynamoDB reads give) is written as the
    # number it is: an int when whole, else a float.
    def default(self, o):
        if isinstance(o, decimal.Decimal):
            return int(o) if o == o.to_integral_value() else float(o)
        return super().default(o)


def to_json(value):
    return json.dumps(value, cls=_Encoder)


# ---- the context object ---------------------------------------------------


class CognitoIdentity:
    def __init__(self, data):
        data = data or {}
        self.cognito_identity_id = data.get("cognitoIdentityId")
        self.cognito_identity_pool_id = data.get("cognitoIdentityPoolId")


class Client:
    def __init__(self, data):
        data = data or {}
        self.installation_id = data.get("installation_id")
        self.app_title = data.get("app_title")
        self.app_version_name = data.get("app_version_name")
        self.app_version_code = data.get("app_version_code")
        self.app_package_name = data.get("app_package_name")


class ClientContext:
    def __init__(self, data):
        self.client = Client(data.get("client"))
        self.custom = data.get("custom")
        self.env = data.get("env")


def _json_header(headers, name):
    value = headers.get(name)
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


class LambdaContext:
    def __init__(self, headers):
        env = os.environ
        self.aws_request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = CognitoIdentity(_json_header(headers, "Lambda-Runtime-Cognito-Identity"))
        client_context = _json_header(headers, "Lambda-Runtime-Client-Context")
        self.client_context = ClientContext(client_context) if isinstance(client_context, dict) else None
        try:
            self._deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms") or 0)
        except ValueError:
            self._deadline_ms = 0

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def log(self, message):
        sys.stdout.write(str(message))


# ---- loading the handler --------------------------------------------------


def load_handler(handler):
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as e:
        raise Fault("Runtime.MalformedHandlerName", "Bad handler '{}': {}".format(handler, e))
    module_name = module_name.replace("/", ".")
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise Fault(
            "Runtime.BuiltInModuleConflict",
            "Cannot use built-in module {} as a handler module".format(module_name),
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        raise Fault("Runtime.ImportModuleError", "Unable to import module '{}': {}".format(module_name, e))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise Fault("Runtime.UserCodeSyntaxError", "Syntax error in module '{}': {}".format(module_name, e), trace)
    function = getattr(module, function_name, None)
    if function is None:
        # As on Lambda, a missing function fails each invocation rather than
        # the import: the module's own code has run.
        fault = Fault(
            "Runtime.HandlerNotFound",
            "Handler '{}' missing on module '{}'".format(function_name, module_name),
        )

        def missing(event, context):
            raise fault

        return missing
    return function


# ---- the loop -------------------------------------------------------------


def invoke(api, handler, headers, body):
    global current_request_id
    request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
    current_request_id = request_id
    trace_id = headers.get("Lambda-Runtime-Trace-Id")
    if trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)

    try:
        try:
            # [I] An empty payload is the empty object, as Invoke gives a
            # function called without one.
            event = json.loads(body) if body.strip() else {}
        except ValueError as e:
            raise Fault("Runtime.UnmarshalError", "Unable to unmarshal input: {}".format(e))
        result = handler(event, LambdaContext(headers))
        try:
            payload = to_json(result)
        except (TypeError, ValueError) as e:
            raise Fault("Runtime.MarshalError", "Unable to marshal response: {}".format(e))
    except Fault as f:
        err = error_body(f.message, f.error_type, f.trace, request_id)
    except Exception as e:
        err = error_from_exception(e, request_id)
    else:
        api.post(RUNTIME + "/invocation/" + request_id + "/response", payload.encode("utf-8"))
        return
    log_error(err)
    api.post_error(RUNTIME + "/invocation/" + request_id + "/error", err)


def main():
    address = os.environ.get("AWS_LAMBDA_RUNTIME_API")
    if not address:
        sys.stderr.write("portico python runtime: AWS_LAMBDA_RUNTIME_API is not set\n")
        sys.exit(1)
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    # As Lambda's: AWS_Lambda_python3.11 under Python 3.11. Libraries read
    # it to tell that they run in Lambda.
    os.environ.setdefault("AWS_EXECUTION_ENV", "AWS_Lambda_python%d.%d" % sys.version_info[:2])
    # The handler's modules are found from the task root, first; this
    # runtime's own directory is not on the path.
    if sys.path and os.path.abspath(sys.path[0] or ".") == os.path.dirname(THIS_FILE):
        sys.path.pop(0)
    sys.path.insert(0, task_root)

    api = RuntimeAPI(address)
    setup_logging()
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except Fault as f:
        err = error_body(f.message, f.error_type, f.trace)
    except Exception as e:
        err = error_from_exception(e)
    else:
        err = None
    if err is not None:
        log_error(err)
        api.post_error(RUNTIME + "/init/error", err)
        sys.exit(1)

    while True:
        headers, body = api.next()
        invoke(api, handler, headers, body)


if __name__ == "__main__":
    main()
