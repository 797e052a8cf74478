import { MAX_EMPTY_FOLDS } from '../rules/windows';

/** A window's statistic (numeric anomalies) is recomputed at most this often per group. */
export const STAT_REFRESH_MS = 1000;

/**
 * One atomic step of a group's state (rules/windows.ts defines the semantics; window-store.int-spec
 * checks this script against it). Adds the lines of one batch (or none, on the tick), folds
 * finished windows into the baseline, drops what fell out of the window, and returns the
 * measurement with the group's open-alert hint. Several workers may call it for the same group
 * at once: each call is one Redis transaction.
 *
 * KEYS: 1 state hash, 2 sample list, 3 value sorted set, 4 group index (sorted set)
 * ARGV: now, kind (count|event|values), bucketMs, buckets, alpha (0: no baseline), statistic,
 *   ttlMs, groupKey, sampleCap, valueCap,
 *   n, n × (bucket, count), n, n × sample JSON (oldest first), n, n × (score, member),
 *   firstLineMs, lastLineMs, lines
 *
 * Hash fields: `#<bucket>` line counts; `low` lowest bucket kept; `first`/`seen` first and latest
 * line time; `folded`/`ffirst`/`flast` lines since the last close and when (event); `sa`/`sv` when
 * the window statistic was computed and its value; `bm`/`bv`/`bn` baseline mean, variance,
 * windows; `bi` last window folded; `aid`/`ast`/`ats`/`afi`/`ano`/`aak`
 * the open alert (id, state, started, fired, last notified, acknowledged).
 */
export const OBSERVE_SCRIPT = `
local meta, sampleKey, valueKey, groupKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local now = tonumber(ARGV[1])
local kind = ARGV[2]
local bms = tonumber(ARGV[3])
local nb = tonumber(ARGV[4])
local alpha = tonumber(ARGV[5])
local statKind = ARGV[6]
local ttl = tonumber(ARGV[7])
local group = ARGV[8]
local sampleCap = tonumber(ARGV[9])
local valueCap = tonumber(ARGV[10])
local i = 11
local increments = {}
for j = 1, tonumber(ARGV[i]) do
  increments[j] = { tonumber(ARGV[i + 1 + (j - 1) * 2]), tonumber(ARGV[i + 2 + (j - 1) * 2]) }
end
i = i + 1 + #increments * 2
local samples = {}
for j = 1, tonumber(ARGV[i]) do samples[j] = ARGV[i + j] end
i = i + 1 + #samples
local values = {}
local nValues = tonumber(ARGV[i])
for j = 1, nValues do values[j] = { ARGV[i + 1 + (j - 1) * 2], ARGV[i + 2 + (j - 1) * 2] } end
i = i + 1 + nValues * 2
local firstLine, lastLine, lines = tonumber(ARGV[i]), tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])

local windowMs = bms * nb
local nowB = math.floor(now / bms)

local function num(field, default)
  local value = redis.call('HGET', meta, field)
  if value then return tonumber(value) end
  return default
end

if lines > 0 then
  if redis.call('HSETNX', meta, 'first', firstLine) == 0 and num('first', firstLine) > firstLine then
    redis.call('HSET', meta, 'first', firstLine)
  end
  if lastLine > num('seen', 0) then redis.call('HSET', meta, 'seen', lastLine) end
  redis.call('ZADD', groupKey, now, group)
  redis.call('PEXPIRE', groupKey, ttl)
  for _, sample in ipairs(samples) do redis.call('LPUSH', sampleKey, sample) end
  if #samples > 0 then
    redis.call('LTRIM', sampleKey, 0, sampleCap - 1)
    redis.call('PEXPIRE', sampleKey, ttl)
  end
end

-- Baseline: EWMA of one sample per window, folded when the window is over.
local bm, bv, bn = num('bm', 0), num('bv', 0), num('bn', 0)
local function fold(x)
  if bn == 0 then
    bm = x
    bv = 0
  else
    local diff = x - bm
    local increment = alpha * diff
    bm = bm + increment
    bv = (1 - alpha) * (bv + diff * increment)
  end
  bn = bn + 1
end

local function statistic(members)
  local xs = {}
  for _, member in ipairs(members) do
    xs[#xs + 1] = tonumber(string.match(member, '^([^|]+)'))
  end
  if #xs == 0 then return nil end
  if statKind == 'avg' then
    local sum = 0
    for _, x in ipairs(xs) do sum = sum + x end
    return sum / #xs
  end
  table.sort(xs)
  if statKind == 'max' then return xs[#xs] end
  local rank = ({ p50 = 0.5, p90 = 0.9, p95 = 0.95, p99 = 0.99 })[statKind]
  return xs[math.max(1, math.ceil(rank * #xs))]
end

local count, stat, windowStart = 0, nil, 0
local folded, ffirst, flast = 0, 0, 0

if kind == 'count' then
  local keep = nowB - 2 * nb
  local low = num('low', nowB)
  for _, increment in ipairs(increments) do
    local bucket, lineCount = increment[1], increment[2]
    if bucket > keep and bucket <= nowB then
      redis.call('HINCRBY', meta, '#' .. bucket, lineCount)
      if bucket < low then low = bucket end
    end
  end
  -- Windows are aligned to multiples of nb buckets; the last one folded is bi.
  if alpha > 0 then
    local current = math.floor(nowB / nb)
    local bi = num('bi', -1)
    if bi < 0 then
      redis.call('HSET', meta, 'bi', current - 1)
    elseif bi < current - 1 then
      local k, folds = bi + 1, 0
      while k <= current - 1 and folds < ${MAX_EMPTY_FOLDS} do
        local x = 0
        -- Only the window of the last call and the two before now can hold lines: any window in
        -- between had no call, so no line.
        if k == bi + 1 or k >= current - 2 then
          local fields = {}
          for b = k * nb, (k + 1) * nb - 1 do fields[#fields + 1] = '#' .. b end
          for _, value in ipairs(redis.call('HMGET', meta, unpack(fields))) do
            if value then x = x + tonumber(value) end
          end
        end
        fold(x)
        k = k + 1
        folds = folds + 1
      end
      redis.call('HSET', meta, 'bm', bm, 'bv', bv, 'bn', bn, 'bi', current - 1)
    end
  end
  -- Drop buckets that can no longer be in a window or a window still to fold.
  if low <= keep then
    if keep - low <= 4 * nb then
      local fields = {}
      for b = low, keep do fields[#fields + 1] = '#' .. b end
      redis.call('HDEL', meta, unpack(fields))
    else
      for _, field in ipairs(redis.call('HKEYS', meta)) do
        if string.sub(field, 1, 1) == '#' and tonumber(string.sub(field, 2)) <= keep then
          redis.call('HDEL', meta, field)
        end
      end
    end
    low = keep + 1
  end
  redis.call('HSET', meta, 'low', low)
  local fields = {}
  for b = nowB - nb + 1, nowB do fields[#fields + 1] = '#' .. b end
  for _, value in ipairs(redis.call('HMGET', meta, unpack(fields))) do
    if value then count = count + tonumber(value) end
  end
  windowStart = (nowB - nb + 1) * bms
elseif kind == 'event' then
  -- Lines since the last close; times are processing times (a burst is about now).
  if lines > 0 then
    folded = redis.call('HINCRBY', meta, 'folded', lines)
    if folded == lines then redis.call('HSET', meta, 'ffirst', now) end
    redis.call('HSET', meta, 'flast', now)
  end
  folded, ffirst, flast = num('folded', 0), num('ffirst', 0), num('flast', 0)
  count = folded
  windowStart = ffirst
else
  for _, value in ipairs(values) do redis.call('ZADD', valueKey, value[1], value[2]) end
  redis.call('ZREMRANGEBYSCORE', valueKey, '-inf', '(' .. (now - 2 * windowMs))
  local size = redis.call('ZCARD', valueKey)
  if size > valueCap then redis.call('ZREMRANGEBYRANK', valueKey, 0, size - valueCap - 1) end
  if size > 0 then redis.call('PEXPIRE', valueKey, ttl) end
  if alpha > 0 then
    local current = math.floor(now / windowMs)
    local bi = num('bi', -1)
    if bi < 0 then
      redis.call('HSET', meta, 'bi', current - 1)
    elseif bi < current - 1 then
      for k = math.max(bi + 1, current - 2), current - 1 do
        local x = statistic(redis.call('ZRANGEBYSCORE', valueKey, k * windowMs, '(' .. ((k + 1) * windowMs)))
        if x then fold(x) end
      end
      redis.call('HSET', meta, 'bm', bm, 'bv', bv, 'bn', bn, 'bi', current - 1)
    end
  end
  count = redis.call('ZCOUNT', valueKey, '(' .. (now - windowMs), now)
  -- Sorting the window is the costly part: at most once a second per group (sa/sv cache it).
  local statAt = num('sa', -1)
  if now - statAt >= ${STAT_REFRESH_MS} or statAt > now then
    stat = statistic(redis.call('ZRANGEBYSCORE', valueKey, '(' .. (now - windowMs), now))
    redis.call('HSET', meta, 'sa', now, 'sv', stat or '')
  else
    stat = num('sv', nil)
  end
  windowStart = now - windowMs
end

redis.call('PEXPIRE', meta, ttl)
local hint = redis.call('HMGET', meta, 'aid', 'ast', 'ats', 'afi', 'ano', 'aak')
local function text(x)
  if x == nil then return '' end
  return string.format('%.17g', x)
end
return {
  text(count), text(stat), text(windowStart),
  text(bm), text(bv), text(bn),
  redis.call('HGET', meta, 'first') or '', redis.call('HGET', meta, 'seen') or '',
  text(flast),
  hint[1] or '', hint[2] or '', hint[3] or '', hint[4] or '', hint[5] or '', hint[6] or ''
}
`;

/**
 * Sets the open-alert hint of a group, unless another alert holds it: ARGV alertId, state,
 * startedAt, firedAt, lastNotifiedAt, acknowledged, ttlMs, replaceId ('' or the id it may replace).
 */
export const SET_HINT_SCRIPT = `
local current = redis.call('HGET', KEYS[1], 'aid')
if current and current ~= ARGV[1] and current ~= ARGV[8] then return 0 end
redis.call('HSET', KEYS[1], 'aid', ARGV[1], 'ast', ARGV[2], 'ats', ARGV[3], 'afi', ARGV[4], 'ano', ARGV[5], 'aak', ARGV[6])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[7]))
return 1
`;

/**
 * Clears the hint of a resolved alert (only if it is still this alert's), and for event tracks
 * starts a new burst, with no samples of the last one: KEYS state hash, sample list; ARGV alertId,
 * resetBurst (1/0).
 */
export const CLEAR_HINT_SCRIPT = `
if ARGV[2] == '1' then
  redis.call('HSET', KEYS[1], 'folded', 0, 'ffirst', 0, 'flast', 0)
  redis.call('DEL', KEYS[2])
end
if redis.call('HGET', KEYS[1], 'aid') == ARGV[1] then
  redis.call('HDEL', KEYS[1], 'aid', 'ast', 'ats', 'afi', 'ano', 'aak')
  return 1
end
return 0
`;
