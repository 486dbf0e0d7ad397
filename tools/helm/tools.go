//go:build tools

// Package tools pins the helm command that the chart tests render with.
package tools

import (
	_ "helm.sh/helm/v4/cmd/helm"
)
