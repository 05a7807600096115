import type { Redis } from 'ioredis';

/*
 * The directory's Lua scripts. Each runs atomically in Redis, which is what makes placement safe:
 * reading the current home, checking that its heartbeat key still exists and writing the new home
 * happen with no other command in between, so two nodes placing one room cannot both win.
 *
 * Keys (P = the configured prefix, passed as ARGV[1]; scripts build keys themselves, so this
 * needs a single Redis, not Redis Cluster):
 *   P node:<id>     JSON NodeInfo, with a TTL: the node is alive while this key exists
 *   P nodes         sorted set id -> last heartbeat (Redis clock, ms): every node seen, dead or alive
 *   P home:<room>   id of the room's home node
 *   P hosted:<id>   set of the rooms homed on the node. Not trimmed when a room is moved off a
 *                   dead node, so that it still says what the node hosted when it died, until reaped.
 * Time comes from Redis (TIME), never from the nodes' clocks.
 */

const NOW_MS = `local function now_ms() local t = redis.call('TIME') return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) end`;

/** ARGV: P, id, json, ttlMs. Returns {existed, members}: existed = 0 means we were (or Redis was) reset. */
const HEARTBEAT = `${NOW_MS}
local p, id = ARGV[1], ARGV[2]
local key = p .. 'node:' .. id
local existed = redis.call('EXISTS', key)
redis.call('SET', key, ARGV[3], 'PX', ARGV[4])
redis.call('ZADD', p .. 'nodes', now_ms(), id)
if existed == 1 then return {1, redis.call('SMEMBERS', p .. 'hosted:' .. id)} end
return {0, {}}`;

/** ARGV: P. Returns the JSON records of the live nodes. */
const LIVE = `
local p = ARGV[1]
local out = {}
for _, id in ipairs(redis.call('ZRANGE', p .. 'nodes', 0, -1)) do
  local rec = redis.call('GET', p .. 'node:' .. id)
  if rec then out[#out + 1] = rec end
end
return out`;

/**
 * ARGV: P, room. Returns {} when no node is eligible, else {json, placed, previousHome}.
 * A live home is kept (draining or not). Otherwise the least loaded live non-draining node wins:
 * fewest rooms homed on it (counted here, so a burst of placements spreads at once, which the
 * load reported every heartbeat could not do), then fewest reported sessions, then smallest id.
 */
const PLACE = `
local p, room = ARGV[1], ARGV[2]
local homeKey = p .. 'home:' .. room
local home = redis.call('GET', homeKey)
if home then
  local rec = redis.call('GET', p .. 'node:' .. home)
  if rec then return {rec, 0, ''} end
end
local best, bestRec, bestRooms, bestSessions
for _, id in ipairs(redis.call('ZRANGE', p .. 'nodes', 0, -1)) do
  local rec = redis.call('GET', p .. 'node:' .. id)
  if rec then
    local node = cjson.decode(rec)
    if node.draining ~= true then
      local rooms = redis.call('SCARD', p .. 'hosted:' .. id)
      local sessions = 0
      if type(node.load) == 'table' and type(node.load.sessions) == 'number' then sessions = node.load.sessions end
      if not best or rooms < bestRooms or (rooms == bestRooms and (sessions < bestSessions or (sessions == bestSessions and id < best))) then
        best, bestRec, bestRooms, bestSessions = id, rec, rooms, sessions
      end
    end
  end
end
if not best then return {} end
redis.call('SET', homeKey, best)
redis.call('SADD', p .. 'hosted:' .. best, room)
return {bestRec, 1, home or ''}`;

/** ARGV: P, room. Returns the home's JSON if the room has a live home, else nil. */
const HOME = `
local home = redis.call('GET', ARGV[1] .. 'home:' .. ARGV[2])
if not home then return false end
return redis.call('GET', ARGV[1] .. 'node:' .. home)`;

/** ARGV: P, room, node. Drops the room's home only if it is still `node` (1), else 0. */
const RELEASE = `
local p, room, node = ARGV[1], ARGV[2], ARGV[3]
redis.call('SREM', p .. 'hosted:' .. node, room)
local homeKey = p .. 'home:' .. room
if redis.call('GET', homeKey) == node then
  redis.call('DEL', homeKey)
  return 1
end
return 0`;

/**
 * ARGV: P, id, room... After Redis lost our heartbeat (restart without persistence, or we were
 * silent past the TTL), take back each room we host unless it now has another live home
 * (compare-and-set: no home, our id, or a dead one). Returns {lost, members}: lost = {room,
 * newHome, ...}; members = our hosted set afterwards (rooms moved off us while we were
 * thought dead are dropped from it).
 */
const RECLAIM = `
local p, id = ARGV[1], ARGV[2]
local hosted = p .. 'hosted:' .. id
local lost = {}
for i = 3, #ARGV do
  local room = ARGV[i]
  local homeKey = p .. 'home:' .. room
  local home = redis.call('GET', homeKey)
  if not home or home == id or redis.call('EXISTS', p .. 'node:' .. home) == 0 then
    redis.call('SET', homeKey, id)
    redis.call('SADD', hosted, room)
  else
    lost[#lost + 1] = room
    lost[#lost + 1] = home
  end
end
for _, room in ipairs(redis.call('SMEMBERS', hosted)) do
  if redis.call('GET', p .. 'home:' .. room) ~= id then redis.call('SREM', hosted, room) end
end
return {lost, redis.call('SMEMBERS', hosted)}`;

/**
 * ARGV: P, graceMs, limit. Forgets nodes dead for more than graceMs: their entry in P nodes,
 * their hosted set and the homes still pointing at them (rooms nobody came back to). Bounded
 * by limit per call. Returns how many were looked at.
 */
const REAP = `${NOW_MS}
local p = ARGV[1]
local ids = redis.call('ZRANGEBYSCORE', p .. 'nodes', '-inf', now_ms() - tonumber(ARGV[2]), 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do
  if redis.call('EXISTS', p .. 'node:' .. id) == 0 then
    local hosted = p .. 'hosted:' .. id
    for _, room in ipairs(redis.call('SMEMBERS', hosted)) do
      if redis.call('GET', p .. 'home:' .. room) == id then redis.call('DEL', p .. 'home:' .. room) end
    end
    redis.call('DEL', hosted)
    redis.call('ZREM', p .. 'nodes', id)
  end
end
return #ids`;

/**
 * ARGV: P, id, startedAt. NODE-5b: deletes the node's heartbeat key if it is still the record of
 * that run (same startedAt), so that a node restarted under the same id is never buried. The
 * survey then sees it dead and placement moves its rooms. Returns 1 when buried.
 */
const BURY = `
local p, id = ARGV[1], ARGV[2]
local key = p .. 'node:' .. id
local rec = redis.call('GET', key)
if rec and tostring(cjson.decode(rec).startedAt) == tostring(tonumber(ARGV[3])) then
  redis.call('DEL', key)
  return 1
end
return 0`;

/** The scripts as commands of the connection (EVALSHA, EVAL again after a Redis restart's NOSCRIPT). */
export interface ClusterScripts {
  clusterHeartbeat(prefix: string, id: string, json: string, ttlMs: number): Promise<[number, string[]]>;
  clusterLive(prefix: string): Promise<string[]>;
  clusterPlace(prefix: string, room: string): Promise<[] | [string, number, string]>;
  clusterHome(prefix: string, room: string): Promise<string | null>;
  clusterRelease(prefix: string, room: string, node: string): Promise<number>;
  clusterReclaim(prefix: string, id: string, ...rooms: string[]): Promise<[string[], string[]]>;
  clusterReap(prefix: string, graceMs: number, limit: number): Promise<number>;
  clusterBury(prefix: string, id: string, startedAt: number): Promise<number>;
}

export function defineClusterScripts(redis: Redis): Redis & ClusterScripts {
  const scripts: Record<keyof ClusterScripts, string> = {
    clusterHeartbeat: HEARTBEAT,
    clusterLive: LIVE,
    clusterPlace: PLACE,
    clusterHome: HOME,
    clusterRelease: RELEASE,
    clusterReclaim: RECLAIM,
    clusterReap: REAP,
    clusterBury: BURY,
  };
  for (const [name, lua] of Object.entries(scripts)) redis.defineCommand(name, { numberOfKeys: 0, lua });
  return redis as Redis & ClusterScripts;
}
