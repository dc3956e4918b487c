package sigv4

import (
	"fmt"
	"time"
)

// Reason is why a request's signature was refused.
type Reason uint8

const (
	// ReasonMissing: the request carries no SigV4 signature at all.
	ReasonMissing Reason = iota + 1
	// ReasonIncomplete: the Authorization header or the presigned query is
	// malformed (a missing or unparsable part, an unsupported algorithm).
	ReasonIncomplete
	// ReasonExpired: the signing time is too far in the past, or the
	// presigned URL has expired.
	ReasonExpired
	// ReasonNotYetValid: the signing time is too far in the future.
	ReasonNotYetValid
	// ReasonScope: the credential scope names another region, service,
	// terminator or date than the request's.
	ReasonScope
	// ReasonUnsignedHeader: Host, or the header the signing time came
	// from, is not among the signed headers.
	ReasonUnsignedHeader
	// ReasonUnknownKey: strict mode, and the access key id is not in the
	// credentials file.
	ReasonUnknownKey
	// ReasonMismatch: strict mode, and the signature is not the one the
	// key's secret gives for this request.
	ReasonMismatch
	// ReasonToken: strict mode, and the session token is not the file's.
	ReasonToken
	// ReasonBody: strict mode, and the body does not hash to the
	// x-amz-content-sha256 the request signed.
	ReasonBody
)

var reasonNames = [...]string{
	ReasonMissing:        "missing",
	ReasonIncomplete:     "incomplete",
	ReasonExpired:        "expired",
	ReasonNotYetValid:    "not yet valid",
	ReasonScope:          "scope",
	ReasonUnsignedHeader: "unsigned header",
	ReasonUnknownKey:     "unknown key",
	ReasonMismatch:       "mismatch",
	ReasonToken:          "token",
	ReasonBody:           "body",
}

func (r Reason) String() string {
	if int(r) < len(reasonNames) && reasonNames[r] != "" {
		return reasonNames[r]
	}
	return fmt.Sprintf("Reason(%d)", uint8(r))
}

// Failure is a refused signature. Every failure is a 403.
//
// Type and Message are what AWS's execute-api endpoints answer for the
// same fault, as REST APIs show it (x-amzn-ErrorType and {"message"}):
// useful in logs, and for a caller that wants REST's answers. HTTP APIs
// answer every IAM refusal with a bare 403 {"message":"Forbidden"}
// (spec data-plane.md B.8 and B.10, [I]): the engine should write that
// and log the Failure.
type Failure struct {
	Reason  Reason
	Type    string
	Message string
}

func (f *Failure) Error() string { return "sigv4: " + f.Reason.String() + ": " + f.Message }

// The x-amzn-ErrorType values of AWS's signature checks: the names AWS's
// services answer with (the fault names quoted in mhart/dynalite's
// index.js, recorded from DynamoDB; execute-api answers the same names,
// e.g. InvalidSignatureException in rpgreen/apigateway-generic-java-sdk
// #11).
const (
	typeMissing      = "MissingAuthenticationTokenException"
	typeIncomplete   = "IncompleteSignatureException"
	typeInvalid      = "InvalidSignatureException"
	typeUnrecognized = "UnrecognizedClientException"
)

func fail(r Reason, typ, msg string) *Failure { return &Failure{Reason: r, Type: typ, Message: msg} }

func failf(r Reason, typ, format string, args ...any) *Failure {
	return &Failure{Reason: r, Type: typ, Message: fmt.Sprintf(format, args...)}
}

// missingToken is REST's answer to an unsigned request on an AWS_IAM
// method (IAM user guide, "Troubleshoot signed requests": "Missing
// Authentication Token") [D].
var missingToken = fail(ReasonMissing, typeMissing, "Missing Authentication Token")

// The texts below are AWS's where a public capture shows them: the
// coral framework's messages recorded in mhart/dynalite (the scope, Host,
// Credential and Authorization-parameter texts, the unknown-key and
// bad-token texts, with and without their final period), the
// "Signature expired ... - 5 min." text from API Gateway answers quoted in
// AWS re:Post ("InvalidSignatureException while invoking a lambda via api
// gateway"), and the mismatch text with its canonical string from
// execute-api answers (mhart/aws4 #33). The presigned-query texts, the
// "not yet current" text and the body text are [I]: written in the same
// style.

const msgMismatch = "The request signature we calculated does not match the signature you provided. " +
	"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

func mismatch(canonical []byte, stringToSign string) *Failure {
	return fail(ReasonMismatch, typeInvalid, msgMismatch+
		"\n\nThe Canonical String for this request should have been\n'"+string(canonical)+
		"'\n\nThe String-to-Sign should have been\n'"+stringToSign+"'\n")
}

var (
	unknownKey = fail(ReasonUnknownKey, typeUnrecognized, "The security token included in the request is invalid.")
	badToken   = fail(ReasonToken, typeUnrecognized, "The security token included in the request is invalid")
	badBody    = fail(ReasonBody, typeInvalid, "The provided 'x-amz-content-sha256' header does not match what was computed.")
)

func expired(signed, now time.Time, window time.Duration) *Failure {
	return failf(ReasonExpired, typeInvalid, "Signature expired: %s is now earlier than %s (%s - %s.)",
		signed.Format(amzDateFormat), now.Add(-window).Format(amzDateFormat), now.Format(amzDateFormat), windowText(window))
}

func notYetValid(signed, now time.Time, window time.Duration) *Failure {
	return failf(ReasonNotYetValid, typeInvalid, "Signature not yet current: %s is still later than %s (%s + %s.)",
		signed.Format(amzDateFormat), now.Add(window).Format(amzDateFormat), now.Format(amzDateFormat), windowText(window))
}

// windowText spells a window as AWS's messages do: "5 min", or "300 sec"
// when it is not whole minutes (a presigned X-Amz-Expires).
func windowText(d time.Duration) string {
	if d%time.Minute == 0 {
		return fmt.Sprintf("%d min", int64(d/time.Minute))
	}
	return fmt.Sprintf("%d sec", int64(d/time.Second))
}
