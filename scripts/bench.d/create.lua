-- wrk script for the "create" scenario: every request is the same POST of a new connection.
-- The Authorization header comes from wrk's -H flag; the request is static, so wrk builds it once.

wrk.method = "POST"
wrk.body = '{"name":"bench","awsAccountId":"123456789012","awsRegion":"us-east-1"}'
wrk.headers["Content-Type"] = "application/json"
