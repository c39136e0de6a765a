package localstack

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/example/cognito-sam-go/internal/emulator/cognito"
)

// startCognito starts the local Cognito on the Cognito port: moto_server behind the layer that
// behaves as Cognito does, moto's output in <STATE_DIR>/moto.log and the mail in <STATE_DIR>/mail.jsonl.
func startCognito(ctx context.Context, opts Options) (*cognito.Emulator, error) {
	motoLog := filepath.Join(opts.StateDir, "moto.log")
	logFile, err := os.Create(motoLog)
	if err != nil {
		return nil, fmt.Errorf("create moto log: %w", err)
	}
	defer logFile.Close() // the child keeps its own descriptor
	em, err := cognito.Start(ctx, cognito.Options{
		MotoServer: opts.MotoServer, Host: opts.CognitoHost, Port: opts.CognitoPort, MotoOutput: logFile,
		Mailbox: filepath.Join(opts.StateDir, "mail.jsonl"), MailOutput: opts.Output,
		Region: opts.Region, Logger: opts.Logger,
		SigningKeyFile: filepath.Join(opts.StateDir, "cognito-signing-key.pem"),
	})
	if err != nil {
		if errors.Is(err, cognito.ErrMotoMissing) {
			return nil, err
		}
		return nil, fmt.Errorf("start the Cognito emulator: %w (moto's output is in %s)", err, motoLog)
	}
	return em, nil
}
