package localstack

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// cognitoEmulator is the running local Cognito.
type cognitoEmulator struct {
	URL  string
	Stop func()
}

// startCognito starts moto_server on the Cognito port, its output in the state directory.
func startCognito(ctx context.Context, opts Options) (*cognitoEmulator, error) {
	motoLog := filepath.Join(opts.StateDir, "moto.log")
	logFile, err := os.Create(motoLog)
	if err != nil {
		return nil, fmt.Errorf("create moto log: %w", err)
	}
	defer logFile.Close() // the child keeps its own descriptor
	moto, err := StartMoto(ctx, opts.MotoServer, opts.CognitoPort, logFile)
	if err != nil {
		if errors.Is(err, ErrMotoMissing) {
			return nil, err
		}
		return nil, fmt.Errorf("%w (its output is in %s)", err, motoLog)
	}
	return &cognitoEmulator{URL: moto.URL, Stop: moto.Stop}, nil
}
