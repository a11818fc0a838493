/**
 * Cluster presence in Redis, changed only by these Lua scripts (each runs atomically):
 * - `sockets:<instance>` hash: socket id -> [username, address], the entries an instance owns;
 * - `users` / `ips` hashes: open sockets per user and per address, cluster-wide (the caps);
 * - `online` sorted set: the users with a socket somewhere, scored by arrival (`seq`);
 * - `instances` sorted set: instance id -> time of its last heartbeat (Redis's clock);
 * - the channel: `+name` when a user comes online, `-name` when their last socket goes, published
 *   inside the script that made the change, so every instance receives the changes in the order
 *   they happened.
 * Every script takes the same keys: users, ips, online, seq, instances, this instance's sockets;
 * and ARGV[1] = the channel, ARGV[2] = the prefix of the `sockets:` keys.
 * All keys share the hash tag `{chat:presence}`: one slot, should Redis ever be a cluster.
 */
const PRELUDE = `
local users, ips, online, seq, instances, mine = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local channel, socketsPrefix = ARGV[1], ARGV[2]
local function now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function cameOnline(username)
  redis.call('ZADD', online, redis.call('INCR', seq), username)
  redis.call('PUBLISH', channel, '+' .. username)
end
local function left(username)
  redis.call('ZREM', online, username)
  redis.call('PUBLISH', channel, '-' .. username)
end
-- One socket of this user and address more (delta 1) or less (-1); returns the user's new count.
local function count(username, ip, delta)
  local n = redis.call('HINCRBY', users, username, delta)
  if n <= 0 then redis.call('HDEL', users, username) end
  if ip ~= '' then
    local m = redis.call('HINCRBY', ips, ip, delta)
    if m <= 0 then redis.call('HDEL', ips, ip) end
  end
  return n
end
local function drop(entry)
  local e = cjson.decode(entry)
  if count(e[1], e[2], -1) <= 0 then left(e[1]) end
end
`;

/** ARGV[3..7]: socket id, username, address, cap per user, cap per address. 'ok', 'user' or 'ip'. */
export const ADD_SCRIPT = `${PRELUDE}
local id, username, ip = ARGV[3], ARGV[4], ARGV[5]
if redis.call('HEXISTS', mine, id) == 1 then return 'ok' end
if tonumber(redis.call('HGET', users, username) or '0') >= tonumber(ARGV[6]) then return 'user' end
if ip ~= '' and tonumber(redis.call('HGET', ips, ip) or '0') >= tonumber(ARGV[7]) then return 'ip' end
redis.call('HSET', mine, id, cjson.encode({username, ip}))
if count(username, ip, 1) == 1 then cameOnline(username) end
return 'ok'`;

/** ARGV[3]: socket id. 1 if it was there. */
export const REMOVE_SCRIPT = `${PRELUDE}
local entry = redis.call('HGET', mine, ARGV[3])
if not entry then return 0 end
redis.call('HDEL', mine, ARGV[3])
drop(entry)
return 1`;

/** ARGV[3]: instance id. 1 if it was known, 0 if it was not (new, reaped, or Redis restarted). */
export const HEARTBEAT_SCRIPT = `${PRELUDE}
local known = redis.call('ZSCORE', instances, ARGV[3])
redis.call('ZADD', instances, now(), ARGV[3])
if known then return 1 end
return 0`;

/** ARGV[3]: ms without heartbeat after which an instance is dead. Removes its entries; how many died. */
export const REAP_SCRIPT = `${PRELUDE}
local dead = redis.call('ZRANGEBYSCORE', instances, '-inf', now() - tonumber(ARGV[3]))
for _, instance in ipairs(dead) do
  local key = socketsPrefix .. instance
  local all = redis.call('HGETALL', key)
  for i = 2, #all, 2 do drop(all[i]) end
  redis.call('DEL', key)
  redis.call('ZREM', instances, instance)
end
return #dead`;

/**
 * Replaces this instance's entries with ARGV[5] (JSON [[socket id, username, address], ...]) and
 * registers it (ARGV[3]: instance id), or unregisters it when ARGV[4] is 'leave'. Only users
 * whose status differs at the end are announced; no cap applies (these sockets are open).
 */
export const RESTORE_SCRIPT = `${PRELUDE}
local before = {}
local function touch(username)
  if before[username] == nil then
    before[username] = tonumber(redis.call('HGET', users, username) or '0') > 0
  end
end
local all = redis.call('HGETALL', mine)
for i = 2, #all, 2 do
  local e = cjson.decode(all[i])
  touch(e[1])
  count(e[1], e[2], -1)
end
redis.call('DEL', mine)
for _, s in ipairs(cjson.decode(ARGV[5])) do
  touch(s[2])
  redis.call('HSET', mine, s[1], cjson.encode({s[2], s[3]}))
  count(s[2], s[3], 1)
end
for username, was in pairs(before) do
  local is = tonumber(redis.call('HGET', users, username) or '0') > 0
  if is and not was then cameOnline(username) elseif was and not is then left(username) end
end
if ARGV[4] == 'leave' then redis.call('ZREM', instances, ARGV[3])
else redis.call('ZADD', instances, now(), ARGV[3]) end
return 1`;
