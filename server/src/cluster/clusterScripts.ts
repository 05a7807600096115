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
 *   P annex:<room>  SPAN-5: id of the room's annex, the second node hosting media of the room
 *   P annexed:<id>  set of the rooms the node is the annex of (same life as hosted:<id>)
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

/**
 * SPAN-5. ARGV: P, room, home, version. Returns {} when no node is eligible, else {json, placed,
 * previousAnnex}. A live annex is kept (draining or full: the caller sees its load), unless it
 * is now the room's home (the room moved there). Otherwise the least loaded live node that is
 * not the home (the one given, nor the one recorded), not draining, of the same version, with a
 * link address (linkUrl) and under its limit (load.participants < maxParticipants, when it has
 * one) becomes the annex: fewest published participants, then fewest rooms homed or annexed
 * there (counted here), then smallest id. Reading the old annex, checking it and writing the new
 * one happen in one script: two nodes asking at once get the same annex.
 */
const ANNEX = `
local p, room, home, version = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local annexKey = p .. 'annex:' .. room
local current = redis.call('GET', annexKey)
local recordedHome = redis.call('GET', p .. 'home:' .. room)
if current then
  if current ~= home and current ~= recordedHome then
    local rec = redis.call('GET', p .. 'node:' .. current)
    if rec then return {rec, 0, ''} end
  end
  redis.call('DEL', annexKey)
  redis.call('SREM', p .. 'annexed:' .. current, room)
end
local best, bestRec, bestParticipants, bestRooms
for _, id in ipairs(redis.call('ZRANGE', p .. 'nodes', 0, -1)) do
  if id ~= home and id ~= recordedHome then
    local rec = redis.call('GET', p .. 'node:' .. id)
    if rec then
      local node = cjson.decode(rec)
      if node.draining ~= true and node.version == version and type(node.linkUrl) == 'string' then
        local participants = 0
        if type(node.load) == 'table' and type(node.load.participants) == 'number' then participants = node.load.participants end
        if type(node.maxParticipants) ~= 'number' or participants < node.maxParticipants then
          local rooms = redis.call('SCARD', p .. 'hosted:' .. id) + redis.call('SCARD', p .. 'annexed:' .. id)
          if not best or participants < bestParticipants or (participants == bestParticipants and (rooms < bestRooms or (rooms == bestRooms and id < best))) then
            best, bestRec, bestParticipants, bestRooms = id, rec, participants, rooms
          end
        end
      end
    end
  end
end
if not best then return {} end
redis.call('SET', annexKey, best)
redis.call('SADD', p .. 'annexed:' .. best, room)
return {bestRec, 1, current or ''}`;

/** ARGV: P, room, node. Drops the room's annex only if it is still `node` (1), else 0. */
const RELEASE_ANNEX = `
local p, room, node = ARGV[1], ARGV[2], ARGV[3]
redis.call('SREM', p .. 'annexed:' .. node, room)
local annexKey = p .. 'annex:' .. room
if redis.call('GET', annexKey) == node then
  redis.call('DEL', annexKey)
  return 1
end
return 0`;

/** ARGV: P, room. Returns the annex's JSON if the room has a live annex, else nil. */
const ANNEX_OF = `
local annex = redis.call('GET', ARGV[1] .. 'annex:' .. ARGV[2])
if not annex then return false end
return redis.call('GET', ARGV[1] .. 'node:' .. annex)`;

/**
 * ARGV: P, id, room... After Redis lost our heartbeat: take back the annexes of the rooms whose
 * media we still host, unless the room now has another live annex, or we are now its home.
 * Returns {room, otherNode, ...} for those lost.
 */
const RECLAIM_ANNEXES = `
local p, id = ARGV[1], ARGV[2]
local lost = {}
for i = 3, #ARGV do
  local room = ARGV[i]
  local annexKey = p .. 'annex:' .. room
  local annex = redis.call('GET', annexKey)
  local home = redis.call('GET', p .. 'home:' .. room)
  if home == id then
    lost[#lost + 1] = room
    lost[#lost + 1] = id
  elseif not annex or annex == id or redis.call('EXISTS', p .. 'node:' .. annex) == 0 then
    if annex and annex ~= id then redis.call('SREM', p .. 'annexed:' .. annex, room) end
    redis.call('SET', annexKey, id)
    redis.call('SADD', p .. 'annexed:' .. id, room)
  else
    lost[#lost + 1] = room
    lost[#lost + 1] = annex
  end
end
return lost`;

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
 * their hosted and annexed sets, and the homes and annexes still pointing at them. Bounded
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
    local annexed = p .. 'annexed:' .. id
    for _, room in ipairs(redis.call('SMEMBERS', annexed)) do
      if redis.call('GET', p .. 'annex:' .. room) == id then redis.call('DEL', p .. 'annex:' .. room) end
    end
    redis.call('DEL', annexed)
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
  clusterAnnex(prefix: string, room: string, home: string, version: string): Promise<[] | [string, number, string]>;
  clusterReleaseAnnex(prefix: string, room: string, node: string): Promise<number>;
  clusterAnnexOf(prefix: string, room: string): Promise<string | null>;
  clusterReclaimAnnexes(prefix: string, id: string, ...rooms: string[]): Promise<string[]>;
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
    clusterAnnex: ANNEX,
    clusterReleaseAnnex: RELEASE_ANNEX,
    clusterAnnexOf: ANNEX_OF,
    clusterReclaimAnnexes: RECLAIM_ANNEXES,
  };
  for (const [name, lua] of Object.entries(scripts)) redis.defineCommand(name, { numberOfKeys: 0, lua });
  return redis as Redis & ClusterScripts;
}
