import Foundation
import Testing
@testable import TriplineCore

/// With sshd's `UseDNS yes`, PAM logs the peer's host name (`rhost=5.36.59.76.dyn.example.net`)
/// and sshd its address, one attempt as two lines: the attack is one source, counted once.
@Suite struct PAMHostNameTests {
    static func attempts(_ n: Int) -> String {
        (0..<n).map { i in
            let s = String(format: "%02d", i * 3)
            return """
            Dec 10 07:28:\(s) LabSZ sshd[\(24235 + i)]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=dyn-5-36-59-76.example.net  user=root
            Dec 10 07:28:\(s) LabSZ sshd[\(24235 + i)]: Failed password for root from 5.36.59.76 port \(45378 + i) ssh2
            Dec 10 07:28:\(s) LabSZ sshd[\(24235 + i)]: Received disconnect from 5.36.59.76: 11: Bye Bye [preauth]
            """
        }.joined(separator: "\n")
    }

    @Test func theNameAndTheAddressAreOneSource() throws {
        let a = Analysis.run(paths: [try temporaryFile(Self.attempts(8))], reader: LogReader(options: ParseOptions(year: 2016)), model: nil)
        let bf = a.anomalies.filter { $0.kind == .bruteForce }
        #expect(bf.count == 1, "\(a.anomalies.map { "\($0.kind) \($0.sourceIP ?? "-")" })")
        #expect(bf.first?.sourceIP == "5.36.59.76")
        #expect(bf.first?.details["failures"]?.numberValue == 8, "each attempt once: \(bf.first?.reasons ?? [])")
        #expect(!a.anomalies.contains { $0.sourceIP == "dyn-5-36-59-76.example.net" })
    }

    @Test func addressesAndNamesAreToldApart() {
        for address in ["5.36.59.76", "2001:db8::1", "::ffff:10.0.0.1", "fe80::1"] { #expect(DetectionWindows.looksLikeAddress(address), "\(address)") }
        for name in ["dyn-5-36-59-76.example.net", "deadbeef", "ns.example.com", "cafe.be"] { #expect(!DetectionWindows.looksLikeAddress(name), "\(name)") }
    }
}
