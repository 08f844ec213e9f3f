import Testing
import TriplineCore

@Suite struct EvidenceLocationTests {
    @Test func readsBackWhatItWrites() {
        let plain = EvidenceLocation(file: "/var/log/auth.log", line: 42)
        #expect(plain.description == "/var/log/auth.log:42")
        #expect(EvidenceLocation(parsing: plain.description) == plain)
        // A colon in a file name (a remote host's folder, an upload's name) is part of the name.
        let odd = EvidenceLocation(file: "/srv/logs/host:22/auth.log", line: 7)
        #expect(EvidenceLocation(parsing: odd.description) == odd)
    }

    @Test func textWithoutALineStaysWhole() {
        let other = EvidenceLocation(parsing: "siem://case/1234")
        #expect(other.file == "siem://case/1234" && other.line == nil)
        #expect(other.description == "siem://case/1234")
        #expect(EvidenceLocation(parsing: "auth.log:-3").line == nil)
    }

    /// An incident's evidence shares one file name across its lines and lists them in order.
    @Test func anIncidentsEvidenceIsStructured() {
        var text = ""
        for i in 0..<8 { text += "2026-01-10T10:00:0\(i)Z web sshd[\(100 + i)]: Failed password for root from 203.0.113.9 port 22 ssh2\n" }
        var d = Detector(model: nil)
        _ = LogReader().read(bytes: Array(text.utf8), name: "a:b.log") { d.process($0) }
        let a = d.finish()
        #expect(a.count == 1)
        #expect(a.first?.evidence.map(\.line) == (1...8).map { Optional($0) })
        #expect(a.first?.evidence.allSatisfy { $0.file == "a:b.log" } == true)
    }
}
