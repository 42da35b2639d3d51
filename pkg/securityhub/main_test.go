package securityhub_test

import (
	"os"
	"testing"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
)

var moto *awsemu.Moto

func TestMain(m *testing.M) { os.Exit(awsemu.RunWithMoto(m, &moto, nil)) }
