# A minimal custom runtime in Python's standard library (urllib), to check
# the manager with another HTTP client than Go's: it echoes the event
# with the invocation's headers, and prints a line per invocation.
import json
import os
import sys
import urllib.request

api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"
print("python runtime ready", flush=True)
while True:
    with urllib.request.urlopen(api + "/invocation/next") as r:
        rid = r.headers["Lambda-Runtime-Aws-Request-Id"]
        event = json.loads(r.read())
        deadline = r.headers["Lambda-Runtime-Deadline-Ms"]
    print("python handling", rid, flush=True)
    if event.get("fail"):
        body = json.dumps({"errorMessage": "failed in python", "errorType": "ValueError", "stackTrace": ["line 1"]})
        req = urllib.request.Request(api + "/invocation/" + rid + "/error", data=body.encode(), method="POST",
                                     headers={"Lambda-Runtime-Function-Error-Type": "Unhandled"})
    else:
        body = json.dumps({"runtime": "python", "id": rid, "deadline": deadline, "event": event})
        req = urllib.request.Request(api + "/invocation/" + rid + "/response", data=body.encode(), method="POST")
    with urllib.request.urlopen(req) as r:
        if r.status != 202:
            sys.exit("answer refused: %d" % r.status)
