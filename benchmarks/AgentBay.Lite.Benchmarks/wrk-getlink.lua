-- wrk script: POSTs the exact GetLink request the official TypeScript SDK sends (query + form body).
-- Usage (emulator running with --api-key akm-local on port 8910):
--   SESSION_ID=$(curl -s -X POST 'http://127.0.0.1:8910/?Action=CreateMcpSession' --data 'Authorization=Bearer%20akm-local' \
--                | python3 -c 'import json,sys;print(json.load(sys.stdin)["Data"]["SessionId"])')
--   SESSION_ID=$SESSION_ID wrk -t1 -c64 -d15s -s benchmarks/AgentBay.Lite.Benchmarks/wrk-getlink.lua http://127.0.0.1:8910/
local key = os.getenv("API_KEY") or "akm-local"
local session = os.getenv("SESSION_ID") or error("set SESSION_ID")
wrk.method = "POST"
wrk.path = "/?Action=GetLink&Format=json&Version=2025-05-06&Timestamp=2026-11-21T15%3A59%3A16Z&SignatureNonce=d5e3e03b498abd70508025019cadc7b8"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["x-acs-version"] = "2025-05-06"
wrk.headers["x-acs-action"] = "GetLink"
wrk.body = "Authorization=Bearer%20" .. key .. "&Port=30150&ProtocolType=https&SessionId=" .. session

-- Fail loudly if any answer is not 200.
response = function(status, headers, body)
  if status ~= 200 then
    error("GetLink answered " .. status .. ": " .. body)
  end
end
