-- wrk script: requests read from a file given after `--`, one per line, tab-separated:
-- method, path, cookie header, and (for a POST) an urlencoded body with its CSRF token.
-- Each thread takes them in turn from a random start, so that the connections of a run play
-- several students at once.
local requests = {}
local next_index = 1

function init(args)
  for line in io.lines(args[1]) do
    local method, path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t?(.*)$")
    local headers = { ["Cookie"] = cookie }
    if body ~= nil and body ~= "" then
      headers["Content-Type"] = "application/x-www-form-urlencoded"
    else
      body = nil
    end
    requests[#requests + 1] = wrk.format(method, path, headers, body)
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  next_index = math.random(#requests)
end

function request()
  next_index = next_index % #requests + 1
  return requests[next_index]
end
