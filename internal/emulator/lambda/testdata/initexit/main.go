// Command initexit is a test function whose init fails: it logs and exits before asking for an event.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "init: missing configuration")
	os.Exit(3)
}
