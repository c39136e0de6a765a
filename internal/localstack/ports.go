package localstack

import (
	"fmt"
	"net"
	"strconv"
)

// checkPortFree fails with a clear message when something already listens on host:port.
func checkPortFree(host string, port int, what, variable string) error {
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s port %s is taken or cannot be bound (%v): stop what uses it or choose another with make local %s=<port>", what, addr, err, variable)
	}
	return ln.Close()
}
