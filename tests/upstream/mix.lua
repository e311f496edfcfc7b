-- tests/upstream/mix.lua - wrk(1) cycles through a fixed request mix, so
-- that the share of each path is known; at the end it prints how many
-- responses of each status it got ("status 200 1234").
local paths = { "/api/fast", "/api/slow", "/api/fast", "/api/err",
    "/api/orders/17", "/api/fast", "/api/orders/42", "/missing" }
local n = 0
local threads = {}

function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	codes = {}
end

function request()
	n = n + 1
	return wrk.format("GET", paths[(n % #paths) + 1])
end

function response(status, headers, body)
	codes[status] = (codes[status] or 0) + 1
end

function done(summary, latency, requests)
	local total = {}
	for _, t in ipairs(threads) do
		local c = t:get("codes")
		for k, v in pairs(c) do
			total[k] = (total[k] or 0) + v
		end
	end
	for k, v in pairs(total) do
		io.write(string.format("status %d %d\n", k, v))
	end
	io.write(string.format("completed %d\n", summary.requests))
end
