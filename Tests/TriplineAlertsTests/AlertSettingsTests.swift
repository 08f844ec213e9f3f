import Foundation
import Testing
import TriplineConfig
import TriplineCore
import TriplineTestSupport

/// Which sinks are on, from the environment and `[alerts]` in tripline.toml.
@Suite struct AlertSettingsTests {
    static func file(_ toml: String) throws -> ConfigFile {
        let path = TestFolders.path("tripline", suffix: ".toml")
        try toml.write(toFile: path, atomically: true, encoding: .utf8)
        return try ConfigFile.load(path)
    }

    @Test func nothingConfiguredMeansNoSinks() throws {
        let s = try AlertSettings.resolve(file: nil, environment: [:])
        #expect(s.isEmpty && s.minSeverity == .high)
    }

    @Test func environmentSwitchesSinksOn() throws {
        let s = try AlertSettings.resolve(file: nil, environment: [
            "TRIPLINE_SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/X",
            "TRIPLINE_SPLUNK_HEC_URL": "https://splunk.example.com:8088", "TRIPLINE_SPLUNK_HEC_TOKEN": "tok",
            "TRIPLINE_ELASTICSEARCH_URL": "https://es.example.com:9200", "TRIPLINE_ELASTICSEARCH_INDEX": "soc",
            "TRIPLINE_WEBHOOK_URL": "https://soar.example.com/hook", "TRIPLINE_WEBHOOK_SECRET": "s3",
            "TRIPLINE_ALERT_MIN_SEVERITY": "Critical"])
        #expect(s.sinks.map(\.kind) == [.slack, .splunk, .elasticsearch, .webhook])
        #expect(s.sinks.allSatisfy { $0.minSeverity == .critical })
        #expect(s.sinks[1].secret == "tok" && s.sinks[2].index == "soc" && s.sinks[3].secret == "s3")
    }

    @Test func fileSettingsAndEnvironmentPrecedence() throws {
        let f = try Self.file("""
        [alerts]
        min_severity = "medium"
        spool_dir = "/var/lib/tripline/spool"
        flush_timeout = 5
        [alerts.webhook]
        url = "https://file.example.com/hook"
        secret = "from-file"
        min_severity = "critical"
        batch_size = 5
        timeout = 2.5
        [alerts.elasticsearch]
        url = "https://es:9200"
        index = "file-index"
        """)
        let s = try AlertSettings.resolve(file: f, environment: ["TRIPLINE_WEBHOOK_URL": "https://env.example.com/hook",
                                                                 "TRIPLINE_ELASTICSEARCH_INDEX": "env-index"])
        let hook = try #require(s.sinks.first { $0.kind == .webhook })
        #expect(hook.url == "https://env.example.com/hook" && hook.secret == "from-file")
        #expect(hook.minSeverity == .critical && hook.batchSize == 5 && hook.timeout == 2.5)
        let es = try #require(s.sinks.first { $0.kind == .elasticsearch })
        #expect(es.index == "env-index" && es.minSeverity == .medium && es.batchSize == 500)
        #expect(s.spoolDirectory == "/var/lib/tripline/spool" && s.flushTimeout == 5)
    }

    @Test func mistakesNameTheKeyAndFileButNeverTheSecret() throws {
        #expect { _ = try Self.file("[alerts.slack]\nurl = \"https://x\"\ntoken = \"t\"\n") } throws: { e in
            "\(e)".contains("unknown key 'token' in [alerts.slack]") && "\(e)".contains(".toml")
        }
        #expect { _ = try Self.file("[alerts.pagerduty]\nurl = \"https://x\"\n") } throws: { e in "\(e)".contains("unknown key 'pagerduty' in [alerts]") }
        #expect { _ = try Self.file("[alerts]\nmin_severity = \"urgent\"\n") } throws: { e in "\(e)".contains("alerts.min_severity must be one of low") }
        #expect { _ = try Self.file("[alerts.webhook]\nurl = \"ftp://secret-host/SECRETPATH\"\n") } throws: { e in
            "\(e)".contains("alerts.webhook.url must be an http") && !"\(e)".contains("SECRETPATH")
        }
        #expect { _ = try AlertSettings.resolve(file: nil, environment: ["TRIPLINE_SLACK_WEBHOOK_URL": "hooks.slack.com/services/SECRET"]) } throws: { e in
            "\(e)".contains("TRIPLINE_SLACK_WEBHOOK_URL must be an http") && !"\(e)".contains("SECRET")
        }
        #expect { _ = try AlertSettings.resolve(file: nil, environment: ["TRIPLINE_SPLUNK_HEC_URL": "https://splunk:8088"]) } throws: { e in
            "\(e)".contains("TRIPLINE_SPLUNK_HEC_TOKEN is needed")
        }
        #expect { _ = try AlertSettings.resolve(file: nil, environment: ["TRIPLINE_ALERT_MIN_SEVERITY": "loud"]) } throws: { e in
            "\(e)".contains("TRIPLINE_ALERT_MIN_SEVERITY")
        }
    }

    @Test func shownURLsKeepOnlySchemeHostAndPort() {
        #expect(AlertSettings.redactedURL("https://hooks.slack.com/services/T/B/X") == "https://hooks.slack.com/…")
        #expect(AlertSettings.redactedURL("http://user:pw@es:9200") == "http://es:9200")
        #expect(AlertSettings.redactedURL("http://[::1]:8088/services/collector") == "http://[::1]:8088/…")
    }
}
