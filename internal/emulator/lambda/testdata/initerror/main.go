// Command initerror is a test function whose init fails the documented way: it posts to
// /runtime/init/error, then waits to be stopped, as a runtime may.
package main

import (
	"net/http"
	"os"
	"strings"
	"time"
)

func main() {
	url := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/init/error"
	req, err := http.NewRequest(http.MethodPost, url,
		strings.NewReader(`{"errorMessage":"cannot load settings","errorType":"Test.InitError"}`))
	if err != nil {
		os.Exit(1)
	}
	req.Header.Set("Lambda-Runtime-Function-Error-Type", "Test.InitError")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		os.Exit(1)
	}
	resp.Body.Close()
	time.Sleep(time.Hour)
}
