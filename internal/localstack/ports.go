package localstack

import (
	"fmt"
	"net"
	"strconv"
)

// checkPortFree fails with a clear message when something already listens on 127.0.0.1:port.
func checkPortFree(port int, what, variable string) error {
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("%s port 127.0.0.1:%d is taken (%v): stop what uses it or choose another with make local %s=<port>", what, port, err, variable)
	}
	return ln.Close()
}
