package apigw

//go:generate go run ../../tools/gen -model ../../model/apigatewayv2-2018-11-29.json -out .
