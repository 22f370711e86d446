-- wrk script for the "presign" scenario: every request is the same POST for a presigned URL
-- of one object, on a connection whose role credentials are already cached (the server
-- signs locally; AWS is not called during the run).

wrk.method = "POST"
wrk.body = '{"bucket":"bench-media","key":"videos/intro.mp4"}'
wrk.headers["Content-Type"] = "application/json"
