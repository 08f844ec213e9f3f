import Testing
@testable import TriplineConfig

@Suite struct DotEnvTests {
    @Test func quotesCommentsAndExport() throws {
        let e = try DotEnv.parse("# c\n\nexport A=1\nB = two words # note\nC=\"q \\\"x\\\" \\n\"\nD='lit # \\n'\n", path: ".env")
        #expect(e.map(\.key) == ["A", "B", "C", "D"])
        #expect(e.map(\.value) == ["1", "two words", "q \"x\" \n", "lit # \\n"])
        #expect(e.map(\.line) == [3, 4, 5, 6])
    }

    @Test func malformedLinesAreNamed() {
        #expect(throws: DotEnv.Problem.self) { try DotEnv.parse("A=1\nno equals\n", path: "x.env") }
        do { _ = try DotEnv.parse("A=1\n9X=2\n", path: "x.env") } catch { #expect(error.description.hasPrefix("x.env:2:")) }
        do { _ = try DotEnv.parse("A=\"open\n", path: "x.env") } catch { #expect(error.description.contains("unterminated")) }
    }
}
