-- wrk script: POST a JSON item (the stateful table `create` case).
wrk.method = "POST"
wrk.body = '{"name":"Bench User","email":"bench@example.com","tier":"gold"}'
wrk.headers["Content-Type"] = "application/json"
