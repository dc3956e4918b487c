// Command gofunc is a Lambda function built with aws-lambda-go, the real
// runtime client, for the manager's tests. GOFUNC_INIT makes its init
// fail in the ways a real function's can.
package main

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/portico-dev/portico/internal/lambda/testdata/gofunc/handler"
)

func main() {
	switch os.Getenv("GOFUNC_INIT") {
	case "print":
		fmt.Println("init: loading configuration")
	case "exit":
		fmt.Fprintln(os.Stderr, "init: configuration missing")
		os.Exit(2)
	case "hang":
		time.Sleep(time.Hour)
	case "error":
		// aws-lambda-go has no call for it; a runtime reports an init
		// failure like this (logging it first), then exits.
		fmt.Fprintln(os.Stderr, "init: configuration missing, reporting it")
		url := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/init/error"
		req, _ := http.NewRequest(http.MethodPost, url,
			strings.NewReader(`{"errorMessage":"configuration missing","errorType":"ConfigError"}`))
		req.Header.Set("Lambda-Runtime-Function-Error-Type", "Runtime.ConfigError")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			fmt.Println("init error posted:", resp.StatusCode)
			resp.Body.Close()
		}
		os.Exit(1)
	}
	lambda.Start(handler.Handle)
}
