import Foundation
import Testing
import TriplineConfig
import TriplineCore
import TriplineTestSupport

@Suite struct ConfigFileTests {
    func write(_ text: String) throws -> String {
        let url = TestFolders.url("tripline", suffix: ".toml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func appliesDetectionSettings() throws {
        let path = try write("""
        # Wazuh's thresholds instead of fail2ban's
        [detection]
        brute_force_failures = 8
        brute_force_window = 360
        spray_min_users = 12
        contamination = 0.02
        """)
        let c = try ConfigFile.load(path).apply(to: DetectionConfig())
        #expect(c.bruteForceFailures == 8 && c.bruteForceWindow == 360 && c.sprayMinUsers == 12 && c.contamination == 0.02)
        #expect(c.slowMinFailures == DetectionConfig().slowMinFailures)
    }

    @Test func mistakesNameTheKeyAndTheFile() throws {
        let unknown = try write("[detection]\nbrute_force_failurez = 3\n")
        #expect { try ConfigFile.load(unknown) } throws: { e in
            "\(e)".contains(unknown) && "\(e)".contains("brute_force_failurez")
        }
        let bad = try write("[detection]\ncontamination = 3\n")
        #expect { try ConfigFile.load(bad) } throws: { e in "\(e)".contains("detection.contamination") && "\(e)".contains(bad) }
        let notNumber = try write("[detection]\nspray_min_users = \"many\"\n")
        #expect { try ConfigFile.load(notNumber) } throws: { e in "\(e)".contains("spray_min_users") }
        let syntax = try write("[detection\nx = 1\n")
        #expect { try ConfigFile.load(syntax) } throws: { e in "\(e)".contains(syntax + ":1") }
        let section = try write("[detektion]\nx = 1\n")
        #expect { try ConfigFile.load(section) } throws: { e in "\(e)".contains("detektion") }
        #expect { try ConfigFile.load("/nonexistent/tripline.toml") } throws: { e in "\(e)".contains("/nonexistent/tripline.toml") }
    }

    @Test func wholeNumbersWhereCountsAreExpected() throws {
        var c = DetectionConfig()
        #expect(throws: DetectionConfig.SettingError.self) { try c.set("spray_min_users", to: 2.5) }
        try c.set("spray_min_users", to: 20)
        #expect(c.sprayMinUsers == 20)
        #expect(throws: DetectionConfig.SettingError.unknownKey("nope")) { try c.set("nope", to: 1) }
    }
}
