// The resident pages' rules that decide what a button says before it is pressed: when a
// local day ends (limits reset at the deployment's midnight, not the browser's), whether a
// task's daily or once limit is reached, and how the planet's bubbles are arranged.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimezone } from "../src/i18n/format.js";
import { setLocale } from "../src/i18n/locale.js";
import { dayOf, nextLocalMidnight, taskLimitReason } from "../src/ui/resident/data.js";
import { arrange, MAX_BUBBLES } from "../src/ui/resident/planet.js";

const HOUR = 3600000;
// 2026-12-07 23:30 in UTC+8 (15:30 UTC): the local day ends half an hour later.
const LATE = Date.UTC(2026, 11, 7, 15, 30);

test("the local day and its end follow the deployment's zone", () => {
  setTimezone("+08:00");
  assert.equal(dayOf(LATE), "2026-12-07");
  assert.equal(nextLocalMidnight(LATE), Date.UTC(2026, 11, 7, 16, 0));
  assert.equal(dayOf(LATE + HOUR), "2026-12-08");
  setTimezone("-05:00");
  assert.equal(dayOf(LATE), "2026-12-07");
  assert.equal(nextLocalMidnight(LATE), Date.UTC(2026, 11, 8, 5, 0));
  setTimezone("+08:00");
});

test("a task's limit is reached on the local day, with when it resets", async () => {
  setTimezone("+08:00");
  setLocale("zh-CN");
  const reset = () => "00:00";
  const checkin = { id: "daily_checkin", limit: "daily:1", enabled: true };
  const grant = (at) => ({ task_id: "daily_checkin", granted_at: at });
  assert.equal(taskLimitReason(checkin, [], LATE, reset), null);
  assert.equal(taskLimitReason(checkin, [grant(LATE - HOUR)], LATE, reset), "今日已完成，明天 00:00 重置");
  // yesterday's check-in (local) does not count today, though it is the same UTC day
  assert.equal(taskLimitReason(checkin, [grant(LATE)], LATE + HOUR, reset), null);
  const thrice = { id: "browse", limit: "daily:3", enabled: true };
  const twice = [0, 1].map(() => ({ task_id: "browse", granted_at: LATE }));
  assert.equal(taskLimitReason(thrice, twice, LATE, reset), null);
  assert.match(taskLimitReason(thrice, [...twice, twice[0]], LATE, reset), /今日已完成 3 次/);
  const once = { id: "face", limit: "once", enabled: true };
  assert.equal(taskLimitReason(once, [{ task_id: "face", granted_at: 1 }], LATE, reset), "已完成，此任务仅计一次");
  assert.equal(taskLimitReason({ ...checkin, enabled: false }, [], LATE, reset), "已被运营方停用");
  await setLocale("en"); // English is loaded on demand
  assert.equal(taskLimitReason(checkin, [grant(LATE)], LATE, reset), "Done for today; resets tomorrow at 00:00");
});

test("one bubble per pending hour, the older hours summed into the last", () => {
  const hours = (n) => Array.from({ length: n }, (_, i) => ({ hour_start: (i + 1) * HOUR, amount_micro: String(i + 1) }));
  assert.deepEqual(arrange(hours(3)).map((b) => b.key), [`${HOUR}`, `${2 * HOUR}`, `${3 * HOUR}`]);
  assert.equal(arrange(hours(MAX_BUBBLES)).length, MAX_BUBBLES);
  const many = arrange(hours(12));
  assert.equal(many.length, MAX_BUBBLES);
  const rest = many[many.length - 1];
  assert.equal(rest.key, "rest");
  assert.equal(rest.rest.length, 12 - (MAX_BUBBLES - 1));
  assert.equal(rest.amount, String(1 + 2 + 3 + 4 + 5)); // the five oldest hours
  assert.deepEqual(many.slice(0, -1).map((b) => b.bubble.hour_start), [6, 7, 8, 9, 10, 11, 12].map((h) => h * HOUR));
});
