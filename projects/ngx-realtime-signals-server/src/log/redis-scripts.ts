import { createHash } from 'node:crypto';

/**
 * The Lua scripts of the Redis log. Each runs atomically in Redis, so a read
 * decides "gap or not" against the same state it reads its events from, and a
 * chat send checks its clientId and appends in one step whichever instance
 * runs it.
 */
export interface RedisScript {
  readonly source: string;
  readonly sha1: string;
}

function script(source: string): RedisScript {
  return { source, sha1: createHash('sha1').update(source).digest('hex') };
}

/** The epoch of the data set: created on first use, so it dies with the data when Redis loses it. */
const EPOCH = `
local function epoch(key, candidate)
  local value = redis.call('GET', key)
  if not value then
    value = candidate
    redis.call('SET', key, value)
  end
  return value
end
`;

/**
 * Appends and bounds the history the way the in-memory log does: once a stream passes
 * `ceiling` (1.1 x HISTORY_LIMIT) it is trimmed back to `limit`, so each append costs O(1) on
 * average, at least `limit` and at most `ceiling` events are kept, and the newest trimmed id is
 * recorded as the stream's max-deleted-entry-id. (XADD MAXLEN ~ trims whole radix-tree nodes,
 * which breaks the 1.1x bound for small limits, and Redis 7.0 does not record what it trimmed
 * there, so a cursor at the newest trimmed event could not be told from a gap.)
 */
const APPEND = `
local function append(key, type, data, ts, limit, ceiling)
  local id = redis.call('XADD', key, '*', 'type', type, 'data', data, 'ts', ts)
  local length = redis.call('XLEN', key)
  if length > ceiling then
    local drop = length - limit
    local oldest = redis.call('XRANGE', key, '-', '+', 'COUNT', drop + 1)
    redis.call('XTRIM', key, 'MINID', oldest[drop + 1][1])
    redis.call('XSETID', key, id, 'MAXDELETEDID', oldest[drop][1])
  end
  return id
end
`;

/** KEYS: stream. ARGV: type, data, ts, limit, ceiling. Returns the new id. */
export const APPEND_SCRIPT = script(`${APPEND}
return append(KEYS[1], ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]))
`);

/** KEYS: epoch. ARGV: candidate epoch. Returns the epoch. */
export const EPOCH_SCRIPT = script(`${EPOCH}
return epoch(KEYS[1], ARGV[1])
`);

/**
 * KEYS: stream, epoch. ARGV: cursor ('' = only the head), limit, candidate epoch.
 * Returns { head, reset (0|1), resetTo ('' unless reset), entries }.
 *
 * A cursor is a gap exactly when some event after it is gone:
 * - '0-<epoch>' (head of an empty topic): gone if the epoch changed or anything was trimmed;
 * - '<ms>-<seq>': gone if it is older than the newest trimmed id, or if it is neither that id
 *   nor an entry of the stream (a stream lost and rebuilt, or a cursor past the head).
 */
export const READ_SCRIPT = script(`${EPOCH}
local e = epoch(KEYS[2], ARGV[3])
local empty = '0-' .. e
local last, trimmed = nil, '0-0'
if redis.call('EXISTS', KEYS[1]) == 1 then
  local info = redis.call('XINFO', 'STREAM', KEYS[1])
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then last = info[i + 1]
    elseif info[i] == 'max-deleted-entry-id' then trimmed = info[i + 1] end
  end
end
local head = last or empty
local cursor = ARGV[1]
if cursor == '' then return { head, 0, '', {} } end
local limit = tonumber(ARGV[2])

local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local function cmp(a, b)
  local am, as = parse(a)
  local bm, bs = parse(b)
  if am ~= bm then return am < bm and -1 or 1 end
  if as ~= bs then return as < bs and -1 or 1 end
  return 0
end
local function page(start)
  if limit <= 0 then return {} end
  return redis.call('XRANGE', KEYS[1], start, '+', 'COUNT', limit)
end

local gap
local cursorMs = parse(cursor)
if cursorMs == 0 then
  gap = cursor ~= empty or trimmed ~= '0-0'
elseif last == nil or cmp(cursor, last) > 0 then
  gap = true
else
  local c = cmp(cursor, trimmed)
  if c < 0 then gap = true
  elseif c == 0 then gap = false
  else gap = #redis.call('XRANGE', KEYS[1], cursor, cursor) == 0 end
end
if gap then
  local resetTo = empty
  if trimmed ~= '0-0' then resetTo = trimmed end
  return { head, 1, resetTo, page('-') }
end
if cursorMs == 0 then return { head, 0, '', page('-') } end
return { head, 0, '', page('(' .. cursor) }
`);

/**
 * KEYS: stream, dedup hash (clientId -> id), dedup order list.
 * ARGV: clientId, type, data, ts, limit, ceiling, remember, ttl ms.
 * Returns { fresh (0|1), id }: the id the clientId got, appending only the first time.
 */
export const APPEND_ONCE_SCRIPT = script(`${APPEND}
local known = redis.call('HGET', KEYS[2], ARGV[1])
if known then return { 0, known } end
local id = append(KEYS[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6]))
redis.call('HSET', KEYS[2], ARGV[1], id)
redis.call('RPUSH', KEYS[3], ARGV[1])
if redis.call('LLEN', KEYS[3]) > tonumber(ARGV[7]) then
  redis.call('HDEL', KEYS[2], redis.call('LPOP', KEYS[3]))
end
redis.call('PEXPIRE', KEYS[2], ARGV[8])
redis.call('PEXPIRE', KEYS[3], ARGV[8])
return { 1, id }
`);

/**
 * Presence keys of one room: KEYS = entries (zset `<instance>|<user>` -> expiry ms), users (zset
 * user -> first seen ms, for join order), counts (hash user -> entries). Entries past their expiry
 * belong to a process that stopped refreshing them (it crashed): they are removed first, and a
 * user whose last entry goes is announced as left on the presence channel.
 */
const PRESENCE = `
local function announce(channel, room, field, user)
  local change = { room = room, count = redis.call('ZCARD', KEYS[2]) }
  change[field] = user
  redis.call('PUBLISH', channel, cjson.encode(change))
end
local function drop(entry, channel, room)
  if redis.call('ZREM', KEYS[1], entry) == 0 then return end
  local user = string.match(entry, '^[^|]*|(.*)$')
  if redis.call('HINCRBY', KEYS[3], user, -1) <= 0 then
    redis.call('HDEL', KEYS[3], user)
    redis.call('ZREM', KEYS[2], user)
    announce(channel, room, 'left', user)
  end
end
local function prune(now, channel, room)
  for _, entry in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do drop(entry, channel, room) end
end
`;

/** ARGV: instance, expiry, now, channel, room, key ttl ms, user... Adds or refreshes this process's users. */
export const PRESENCE_JOIN_SCRIPT = script(`${PRESENCE}
prune(ARGV[3], ARGV[4], ARGV[5])
for i = 7, #ARGV do
  local user = ARGV[i]
  if redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1] .. '|' .. user) == 1 then
    if redis.call('HINCRBY', KEYS[3], user, 1) == 1 then
      redis.call('ZADD', KEYS[2], ARGV[3], user)
      announce(ARGV[4], ARGV[5], 'joined', user)
    end
  end
end
for _, key in ipairs(KEYS) do redis.call('PEXPIRE', key, ARGV[6]) end
return 1
`);

/** ARGV: instance, now, channel, room, user. This process's last connection of the user left. */
export const PRESENCE_LEAVE_SCRIPT = script(`${PRESENCE}
prune(ARGV[2], ARGV[3], ARGV[4])
drop(ARGV[1] .. '|' .. ARGV[5], ARGV[3], ARGV[4])
return 1
`);

/** ARGV: now, channel, room, limit. Returns { first `limit` users in join order, user count }. */
export const PRESENCE_MEMBERS_SCRIPT = script(`${PRESENCE}
prune(ARGV[1], ARGV[2], ARGV[3])
local limit = tonumber(ARGV[4])
local members = {}
if limit > 0 then members = redis.call('ZRANGE', KEYS[2], 0, limit - 1) end
return { members, redis.call('ZCARD', KEYS[2]) }
`);
