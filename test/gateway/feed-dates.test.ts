// gofeed's ParseDate (Go's time.Parse over gofeed's layouts, then the named-zone ones in the zones Go
// loads) as publishedParsed / updatedParsed show it: in UTC for RSS and Atom, with the offset Go keeps
// for a JSON Feed or Dublin Core date. Expected values are KrakenD CE 2.13.8's own answers for these texts
// (a JSON Feed and an RSS feed of each), from a differential run of 1,722 date texts (3,444 items, 0 differ).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { feedDate } from '../../src/gateway/feed-dates.ts'

// [text, RSS/Atom (UTC), JSON Feed / Dublin Core (offset kept)]; undefined: no parsed time. The RSS
// column of a text with surrounding spaces is left out (an RSS element's text is trimmed first).
const CASES: Array<[string, string | undefined, string | undefined]> = [
  ['Sun, 11 April 2004, 17:23:13 GMT+3', '2004-04-11T17:23:13Z', '2004-04-11T20:23:13+03:00'],
  ['Wed Nov 12 2025 19:19:30 GMT+0300 (GMT+3)', '2025-11-12T16:19:30Z', '2025-11-12T19:19:30+03:00'],
  ['Mon, 2 Jan 1985 15:04:05 CET', '1985-01-02T14:04:05Z', '1985-01-02T15:04:05+01:00'],
  ['Mon, 2 Apr 1982 15:04:05 CET', '1982-04-02T14:04:05Z', '1982-04-02T16:04:05+02:00'],
  ['Mon, 2 Apr 1975 15:04:05 EET', '1975-04-02T13:04:05Z', '1975-04-02T15:04:05+02:00'],
  ['Mon, 2 Jul 1987 15:04:05 EET', '1987-07-02T13:04:05Z', '1987-07-02T16:04:05+03:00'],
  ['Mon, 2 Jul 1970 15:04:05 EST', '1970-07-02T20:04:05Z', '1970-07-02T15:04:05-05:00'],
  ['Tuesday,  4 Dec 2029 04:03:04 AEST', '2029-12-04T04:03:04Z', '2029-12-04T04:03:04Z'],
  ['Mon, 2 Oct 1976 15:04:05 PRC', '1976-10-02T15:04:05Z', '1976-10-02T15:04:05Z'],
  ['Wed, 26 Feb 03 14:32:29 PRC', '2003-02-26T14:32:29Z', '2003-02-26T14:32:29Z'],
  ['august 23, 2038 11:12 pm', undefined, undefined],
  ['Wed Sep 17, 2014 1:39 pm', '2014-09-17T13:39:00Z', '2014-09-17T13:39:00Z'],
  ['June 15, 2029 05:01 PM', '2029-06-15T17:01:00Z', '2029-06-15T17:01:00Z'],
  [' March 15, 2015 11:04 PM ', undefined, '2015-03-15T23:04:00Z'],
  ['202-8-7T21:07:37Z', undefined, undefined],
  ['16 Nov 2019 19:43:00 Z', '2019-11-16T19:43:00Z', '2019-11-16T19:43:00Z'],
  ['Tue, 13, Nov 1990 11:49', '1990-11-13T11:49:00Z', '1990-11-13T11:49:00Z'],
  ['Mon, 2 Apr 1983 15:04:05 MET', '1983-04-02T14:04:05Z', '1983-04-02T16:04:05+02:00'],
  [' Mon, 31 Dec 1973 07:46:24 UT ', undefined, '1973-12-31T07:46:24Z'],
  [' Tue, 23 Jul 1991 06:09:55 UT ', undefined, '1991-07-23T06:09:55Z'],
  ['Sat, Feb 25 1984 06:14:18 -0700x', undefined, undefined],
  ['2003-07-08T16:27:53Z', '2003-07-08T16:27:53Z', '2003-07-08T16:27:53Z'],
  ['Mon,  May 03, 1999 00:03:21 WITA', '1999-05-03T00:03:21Z', '1999-05-03T00:03:21Z'],
  ['0731/2003 09:36:30 WITA', undefined, undefined],
  ['Mon, Aug 23, 1965 17:38 AEST', '1965-08-23T17:38:00Z', '1965-08-23T17:38:00Z'],
  ['2024-08-20 10:18:44 AEST', '2024-08-20T10:18:44Z', '2024-08-20T10:18:44Z'],
  ['26 Jul 10 13:03 +0300', '2010-07-26T10:03:00Z', '2010-07-26T13:03:00+03:00'],
  ['Mon, 2 Jul 1974 15:04:05 MET', '1974-07-02T14:04:05Z', '1974-07-02T15:04:05+01:00'],
  ['2011/09/29', '2011-09-29T00:00:00Z', '2011-09-29T00:00:00Z'],
  ['6/1/14 08:4', undefined, undefined],
  ['17.12.2032 14:35:01', '2032-12-17T14:35:01Z', '2032-12-17T14:35:01Z'],
  ['19.05.1970 03:16', '1970-05-19T03:16:00Z', '1970-05-19T03:16:00Z'],
  ['1978-09-01 at 19:42:55', '1978-09-01T19:42:55Z', '1978-09-01T19:42:55Z'],
  ['2026-07-04 at 19:54:38', '2026-07-04T19:54:38Z', '2026-07-04T19:54:38Z'],
  ['Wed,5  Aug 2020', '2020-08-05T00:00:00Z', '2020-08-05T00:00:00Z'],
  ['May  27, 2025 7:34:32 AM UTC', '2025-05-27T07:34:32Z', '2025-05-27T07:34:32Z'],
  ['Sat, 19 Dec 1964 12:02:26 +0800x', undefined, undefined],
  [' Saturday, 14 Mar 1981 05:53:31 +0800 ', undefined, '1981-03-14T05:53:31+08:00'],
  ['22/5/2031x', undefined, undefined],
  ['Sun, 1 July 2035 6:38 +0530', undefined, undefined],
  ['Mon, 2 Jul 1979 15:04:05 WET', '1979-07-02T15:04:05Z', '1979-07-02T16:04:05+01:00'],
]

test('feed dates are parsed with every gofeed layout, as KrakenD answers them', () => {
  for (const [text, utc, kept] of CASES) {
    if (text === text.trim()) assert.equal(feedDate(text), utc, `${JSON.stringify(text)} (UTC)`)
    assert.equal(feedDate(text, true), kept, `${JSON.stringify(text)} (offset kept)`)
  }
})
