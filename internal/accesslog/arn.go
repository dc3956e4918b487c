package accesslog

import (
	"errors"
	"strings"
)

// MaxGroupBytes is CloudWatch Logs' longest log group name: 512 characters
// of a-z A-Z 0-9 _ - / . # [D CloudWatch Logs API reference, CreateLogGroup].
const MaxGroupBytes = 512

// ErrDestination is LogGroup's answer to a destinationArn that does not
// name a CloudWatch Logs log group.
var ErrDestination = errors.New("accesslog: destinationArn is not a CloudWatch Logs log group ARN")

// LogGroup is the log group a stage's accessLogSettings.destinationArn
// names: arn:{partition}:logs:{region}:{account}:log-group:{name}, with an
// optional ":*" after the name, the form CloudWatch itself shows in a log
// group's "arn" and which Terraform's aws_cloudwatch_log_group.arn carried
// [D CloudWatch Logs DescribeLogGroups]. HTTP and WebSocket APIs deliver to
// CloudWatch Logs only (Kinesis Data Firehose is for REST APIs) [D].
func LogGroup(destinationArn string) (string, error) {
	// arn : partition : service : region : account : resource, where the
	// resource "log-group:{name}" has a colon of its own.
	f := strings.SplitN(destinationArn, ":", 7)
	if len(f) != 7 || f[0] != "arn" || f[1] == "" || f[2] != "logs" || f[5] != "log-group" {
		return "", ErrDestination
	}
	name := strings.TrimSuffix(f[6], ":*")
	if !validGroup(name) {
		return "", ErrDestination
	}
	return name, nil
}

func validGroup(name string) bool {
	if name == "" || len(name) > MaxGroupBytes {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '_' || c == '-' || c == '/' || c == '.' || c == '#') {
			return false
		}
	}
	return true
}
