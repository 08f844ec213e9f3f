import Foundation
import Testing
@testable import TriplineCore

@Suite struct SyslogHeaderTests {
    @Test func classicHeaderWithHostProgramAndPid() throws {
        let e = try #require(syslogEvent("Mar 30 15:54:19 web-01 sshd[1234]: Accepted password for alice from 10.0.0.5 port 50000 ssh2"))
        #expect(e.timestamp.iso8601 == "2026-03-30T15:54:19Z")
        #expect(e.host == "web-01")
        #expect(e.program == "sshd")
        #expect(e.pid == 1234)
        #expect(e.message == "Accepted password for alice from 10.0.0.5 port 50000 ssh2")
    }

    @Test func programVariants() throws {
        let cases: [(String, String?, Int?)] = [
            ("Mar  1 00:00:00 h sshd-session[77]: Invalid user x from 1.2.3.4 port 5", "sshd-session", 77),
            ("Mar  1 00:00:00 h sshd(pam_unix)[15794]: session closed for user news", "sshd", 15794),
            ("Mar  1 00:00:00 h sshd: Invalid user x from 1.2.3.4", "sshd", nil),
            ("Mar  3 00:17:22 [sshd]: User root from 211.188.220.49 not allowed because not listed in AllowUsers", "sshd", nil),
            ("Jun 25 23:53:34 [sshd] User root from 1.2.3.4 not allowed because not listed in AllowUsers", "sshd", nil),
            ("Nov 23 21:50:19 sshd[8148]: Disconnecting: Too many authentication failures for root [preauth]", "sshd", 8148),
        ]
        for (line, prog, pid) in cases {
            let e = try #require(syslogEvent(line), "\(line)")
            #expect(e.program == prog, "\(line)")
            #expect(e.pid == pid, "\(line)")
        }
        #expect(syslogEvent(cases[3].0)?.host == nil)
        #expect(syslogEvent(cases[3].0)?.sourceIP == "211.188.220.49")
    }

    @Test func isoAndRfc3339Timestamps() throws {
        let a = try #require(syslogEvent("2015-04-16T18:02:50.321974+00:00 host sshd[2716]: Connection closed by 192.0.2.112 [preauth]"))
        #expect(a.timestamp.iso8601 == "2015-04-16T18:02:50.321974Z")
        let b = try #require(syslogEvent("2023-11-14T00:20:42.738197+01:00 myserver sshd[1112652]: User root from 192.168.1.1 not allowed because not listed in AllowUsers"))
        #expect(b.timestamp.iso8601 == "2023-11-13T23:20:42.738197Z")
        #expect(b.outcome == .failure)
        // journald/wazuh style: space separator, offset without colon, two spaces before the host.
        let c = try #require(syslogEvent("2020-03-23 06:47:42.801612-0700  localhost sshd[3186]: error: PAM: unknown user for illegal user badguy from 192.168.33.1"))
        #expect(c.timestamp.iso8601 == "2020-03-23T13:47:42.801612Z")
        #expect(c.host == "localhost")
        #expect(c.user == "badguy")
        #expect(c.invalidUser)
        #expect(c.sourceIP == "192.168.33.1")
    }

    @Test func rfc5424WithStructuredData() throws {
        let a = try #require(syslogEvent("<38>1 2019-07-08T17:40:16.954167-04:00 hostname.example.com sshd 57915 - - Failed unknown for invalid user redmond from 192.0.2.1 port 59197 ssh2"))
        #expect(a.timestamp.iso8601 == "2019-07-08T21:40:16.954167Z")
        #expect(a.host == "hostname.example.com")
        #expect(a.program == "sshd")
        #expect(a.pid == 57915)
        #expect(a.outcome == .failure)
        #expect(a.sourceIP == "192.0.2.1")
        let b = try #require(syslogEvent(#"<38>1 2019-07-08T17:40:17.954167-04:00 hostname.example.com sshd 55555 - [timeQuality tzKnown="1" isSynced="0"][xxx@123 test="[brackets\]"] Failed unknown for invalid user redmond from 192.0.2.2 port 55555 ssh2"#))
        #expect(b.message.hasPrefix("Failed unknown"))
        #expect(b.sourceIP == "192.0.2.2")
    }

    @Test func timeZoneAppliesToClassicTimestamps() throws {
        let e = try #require(syslogEvent("Jul  1 12:00:00 h sshd[1]: Connection from 1.2.3.4 port 5 on 10.0.0.1 port 22", zone: "Europe/Berlin"))
        #expect(e.timestamp.iso8601 == "2026-07-01T10:00:00Z") // CEST, UTC+2
        let w = try #require(syslogEvent("Jan  1 12:00:00 h sshd[1]: Connection from 1.2.3.4 port 5 on 10.0.0.1 port 22", zone: "Europe/Berlin"))
        #expect(w.timestamp.iso8601 == "2026-01-01T11:00:00Z") // CET, UTC+1
    }

    @Test func yearRollsOverAtNewYear() throws {
        let text = """
        Dec 31 23:59:58 h sshd[1]: Connection from 1.2.3.4 port 5 on 10.0.0.1 port 22
        Jan  1 00:00:01 h sshd[2]: Connection from 1.2.3.4 port 6 on 10.0.0.1 port 22
        Dec 31 23:59:59 h sshd[3]: Connection from 1.2.3.4 port 7 on 10.0.0.1 port 22
        Jan  2 08:00:00 h sshd[4]: Connection from 1.2.3.4 port 8 on 10.0.0.1 port 22
        """
        let times = syslogEvents(text, year: 2025).compactMap { r -> String? in
            if case .event(let e) = r { return e.timestamp.iso8601 }
            return nil
        }
        #expect(times == ["2025-12-31T23:59:58Z", "2026-01-01T00:00:01Z", "2025-12-31T23:59:59Z", "2026-01-02T08:00:00Z"])
    }

    @Test func inferredYearIsNeverInTheFuture() throws {
        // Reading in February 2027 a file that starts in December: that December is 2026's.
        let ref = Date(timeIntervalSince1970: Double(CivilTime.daysFromCivil(year: 2027, month: 2, day: 10)) * 86_400)
        let r = syslogEvents("Dec 30 10:00:00 h sshd[1]: Connection from 1.2.3.4 port 5 on 10.0.0.1 port 22\nFeb  9 10:00:00 h sshd[1]: x", year: nil, reference: ref)
        guard case .event(let a) = r[0], case .event(let b) = r[1] else { Issue.record("lines skipped"); return }
        #expect(a.timestamp.iso8601 == "2026-12-30T10:00:00Z")
        #expect(b.timestamp.iso8601 == "2027-02-09T10:00:00Z")
    }

    @Test func linesWithoutHeaderAreSkippedWithAReason() {
        let r = syslogEvents("this is not syslog\nFeb 30 10:00:00 h sshd[1]: impossible date")
        guard case .skipped(let a, _) = r[0], case .skipped(let b, _) = r[1] else { Issue.record("expected skips"); return }
        #expect(a == .noSyslogHeader)
        #expect(b == .badTimestamp)
    }

    @Test func otherProgramsBecomeOtherEvents() throws {
        let e = try #require(syslogEvent("Mar 30 15:54:19 web-01 CRON[99]: (root) CMD (run-parts /etc/cron.hourly)"))
        #expect(e.eventType == .other)
        #expect(e.outcome == .unknown)
        #expect(e.program == "CRON")
    }
}
