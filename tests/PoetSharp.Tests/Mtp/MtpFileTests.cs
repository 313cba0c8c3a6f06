using PoetSharp.Data;
using PoetSharp.Mtp;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Mtp;

public class MtpFileTests
{
    /// <summary>A small two-species file in MLIP's layout; line k of the file is Example[k - 1].</summary>
    private static readonly string[] ExampleLines =
    [
        "MTP", // 1
        "version = 1.1.0",
        "potential_name = MTP1m",
        "scaling = 0.5",
        "species_count = 2", // 5
        "potential_tag = ",
        "radial_basis_type = RBChebyshev",
        "\tmin_dist = 2",
        "\tmax_dist = 5",
        "\tradial_basis_size = 3", // 10
        "\tradial_funcs_count = 2",
        "\tradial_coeffs",
        "\t\t0-0",
        "\t\t\t{1, 0.5, 0.25}",
        "\t\t\t{0, 1, 0.5}", // 15
        "\t\t0-1",
        "\t\t\t{1.5, 0.5, 0.25}",
        "\t\t\t{0.1, 1, 0.5}",
        "\t\t1-0",
        "\t\t\t{2, 0.5, 0.25}", // 20
        "\t\t\t{0.2, 1, 0.5}",
        "\t\t1-1",
        "\t\t\t{2.5, -0.5, 1e-3}",
        "\t\t\t{0.3, 1, -2.5e+00}",
        "alpha_moments_count = 7", // 25
        "alpha_index_basic_count = 5",
        "alpha_index_basic = {{0, 0, 0, 0}, {1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}}",
        "alpha_index_times_count = 4",
        "alpha_index_times = {{0, 1, 1, 5}, {2, 2, 1, 6}, {3, 3, 1, 6}, {4, 4, 1, 6}}",
        "alpha_scalar_moments = 4", // 30
        "alpha_moment_mapping = {0, 1, 5, 6}",
        "species_coeffs = {-1.5, -2.25}",
        "moment_coeffs = {0.1, -0.2, 0.3, -0.4}", // 33
    ];

    private static readonly string Example = Lines(ExampleLines);

    private static readonly string[] CuNi = ["Cu", "Ni"];

    private static string Lines(IEnumerable<string> lines) => string.Join("\n", lines) + "\n";

    /// <summary>The example with line <paramref name="line"/> (1-based) replaced.</summary>
    private static string WithLine(int line, string text)
    {
        var l = (string[])ExampleLines.Clone();
        l[line - 1] = text;
        return Lines(l);
    }

    /// <summary>The example without lines <paramref name="first"/>…<paramref name="last"/> (1-based).</summary>
    private static string WithoutLines(int first, int last) =>
        Lines(ExampleLines.Where((_, k) => k + 1 < first || k + 1 > last));

    private static string WriteTemp(string text, string name = "pot.mtp")
    {
        var path = Path.Combine(TestData.TempDir(), name);
        File.WriteAllText(path, text);
        return path;
    }

    private static DataFormatException ReadFails(string text, int? line, string fragment, IReadOnlyList<string>? elements = null,
        bool useDefaultElements = true, bool allowUntrained = false)
    {
        var path = WriteTemp(text);
        var e = Assert.Throws<DataFormatException>(() => MtpFile.Read(path, useDefaultElements ? elements ?? CuNi : elements, allowUntrained, out _));
        Assert.Equal(path, e.FilePath);
        Assert.Equal(line, e.Line);
        Assert.Contains(fragment, e.Reason, StringComparison.Ordinal);
        Assert.StartsWith(line is int l ? $"{path}:{l}: " : $"{path}: ", e.Message, StringComparison.Ordinal);
        return e;
    }

    private static long[] Bits(IEnumerable<double> v) => v.Select(BitConverter.DoubleToInt64Bits).ToArray();

    private static void AssertSameModel(MtpModel a, MtpModel b)
    {
        Assert.Equal(a.Elements, b.Elements);
        Assert.Equal(BitConverter.DoubleToInt64Bits(a.Scaling), BitConverter.DoubleToInt64Bits(b.Scaling));
        Assert.Equal(BitConverter.DoubleToInt64Bits(a.MinDistance), BitConverter.DoubleToInt64Bits(b.MinDistance));
        Assert.Equal(BitConverter.DoubleToInt64Bits(a.Cutoff), BitConverter.DoubleToInt64Bits(b.Cutoff));
        Assert.Equal((a.RadialBasisSize, a.RadialFunctionCount), (b.RadialBasisSize, b.RadialFunctionCount));
        Assert.Equal(Bits(a.Parameters()), Bits(b.Parameters()));
        Assert.Equal(a.Basis.Mu, b.Basis.Mu);
        Assert.Equal(a.Basis.Powers, b.Basis.Powers);
        Assert.Equal(a.Basis.Products, b.Basis.Products);
        Assert.Equal(a.Basis.Scalars, b.Basis.Scalars);
        Assert.Equal(a.Basis.MomentCount, b.Basis.MomentCount);
    }

    // ---------------------------------------------------------------- reading

    [Fact]
    public void ReadsMlearnCu()
    {
        var path = TestData.Shared("mlearn", "Cu_mtp.mtp");
        var m = MtpFile.Read(path, ["Cu"]);
        Assert.Equal(["Cu"], m.Elements);
        Assert.Equal(1, m.SpeciesCount);
        Assert.Equal(0.1028102668858972, m.Scaling);
        Assert.Equal(1.83239, m.MinDistance);
        Assert.Equal(3.9, m.Cutoff);
        Assert.Equal(8, m.RadialBasisSize);
        Assert.Equal(5, m.RadialFunctionCount);
        Assert.Equal(5, m.Basis.RadialFunctionCount);
        Assert.Equal(295, m.Basis.BasicCount);
        Assert.Equal(6349, m.Basis.Products.Length);
        Assert.Equal(288, m.Basis.ScalarCount);
        Assert.Equal(1352, m.Basis.MomentCount);
        Assert.Equal([-1.042228408382164], m.SpeciesCoefficients);
        Assert.Equal(288, m.MomentCoefficients.Length);
        Assert.Equal(-14.31458135234157, m.MomentCoefficients[0]);
        Assert.Equal(0.3326354489225136, m.MomentCoefficients[^1]);
        // Radial coefficients: block 0-0, rows μ = 0…4 on lines 14…18.
        Assert.Equal(0.7256602241827155, m.RadialCoefficients[m.RadialIndex(0, 0, 0, 0)]);
        Assert.Equal(5.130567449824537e-03, m.RadialCoefficients[m.RadialIndex(0, 0, 0, 7)]);
        Assert.Equal(0.7688973148123665, m.RadialCoefficients[m.RadialIndex(0, 0, 2, 2)]);
        Assert.Equal(-5.443046459081882e-02, m.RadialCoefficients[m.RadialIndex(0, 0, 4, 0)]);
        // The basis as listed.
        Assert.Equal((0, 0, 0), m.Basis.Powers[0]);
        Assert.Equal((1, 0, 0), m.Basis.Powers[1]);
        Assert.Equal((0, 0, 1.0, 295), m.Basis.Products[0]);
        Assert.Equal((1, 1, 1.0, 296), m.Basis.Products[1]);
        Assert.Equal([0, 165, 249, 284, 294], m.Basis.Scalars[..5]);
        Assert.Equal(8, m.Basis.MaxRank);
        Assert.Equal(0, m.Basis.Level);
        Assert.Equal("Cu_mtp", m.Name);
    }

    [Fact]
    public void ReadsTheExample()
    {
        var m = MtpFile.Parse(Example, "example.mtp", CuNi);
        Assert.Equal(CuNi, m.Elements);
        Assert.Equal(0.5, m.Scaling);
        Assert.Equal((2.0, 5.0, 3, 2), (m.MinDistance, m.Cutoff, m.RadialBasisSize, m.RadialFunctionCount));
        // Block i-j, row μ, entry β at ((i·S + j)·nμ + μ)·nβ + β.
        Assert.Equal(1.5, m.RadialCoefficients[m.RadialIndex(0, 1, 0, 0)]);
        Assert.Equal(0.2, m.RadialCoefficients[m.RadialIndex(1, 0, 1, 0)]);
        Assert.Equal(1e-3, m.RadialCoefficients[m.RadialIndex(1, 1, 0, 2)]);
        Assert.Equal(-2.5, m.RadialCoefficients[m.RadialIndex(1, 1, 1, 2)]);
        Assert.Equal(-2.5, m.RadialCoefficients[^1]);
        Assert.Equal([0, 1, 0, 0, 0], m.Basis.Mu);
        Assert.Equal([(0, 0, 0), (0, 0, 0), (1, 0, 0), (0, 1, 0), (0, 0, 1)], m.Basis.Powers);
        Assert.Equal([(0, 1, 1.0, 5), (2, 2, 1.0, 6), (3, 3, 1.0, 6), (4, 4, 1.0, 6)], m.Basis.Products);
        Assert.Equal([0, 1, 5, 6], m.Basis.Scalars);
        Assert.Equal([-1.5, -2.25], m.SpeciesCoefficients);
        Assert.Equal([0.1, -0.2, 0.3, -0.4], m.MomentCoefficients);
        Assert.Equal(1, m.Basis.MaxRank);
    }

    [Fact]
    public void WindowsLineEndingsBlankLinesAndNoScalingAreAccepted()
    {
        var text = WithoutLines(4, 4).Replace("\n", "\r\n").Replace("alpha_moments_count", "\r\nalpha_moments_count");
        var m = MtpFile.Parse(text, "crlf.mtp", CuNi);
        Assert.Equal(1.0, m.Scaling);
        Assert.Equal(-0.4, m.MomentCoefficients[^1]);
    }

    [Fact]
    public void ScalingInsideTheRadialBasisMultiplies()
    {
        var l = ExampleLines.ToList();
        l.Insert(7, "\tscaling = 3");
        var m = MtpFile.Parse(Lines(l), "old.mtp", CuNi, false, out var notes);
        Assert.Equal(1.5, m.Scaling);
        Assert.Contains(notes, n => n.Contains("inside the radial basis"));
    }

    [Fact]
    public void UnusedRadialFunctionsAreKeptWithANote()
    {
        var l = ExampleLines.ToList();
        l[10] = "\tradial_funcs_count = 3";
        foreach (var at in new[] { 24, 21, 18, 15 }) l.Insert(at, "\t\t\t{9, 9, 9}"); // a third row in every block
        var m = MtpFile.Parse("\uFEFF" + Lines(l), "extra.mtp", CuNi, false, out var notes);
        Assert.Equal(3, m.RadialFunctionCount);
        Assert.Equal(2, m.Basis.RadialFunctionCount);
        Assert.Equal(9.0, m.RadialCoefficients[m.RadialIndex(1, 1, 2, 0)]);
        Assert.Equal(0.3, m.RadialCoefficients[m.RadialIndex(1, 1, 1, 0)]);
        Assert.Contains(notes, n => n.Contains("radial_funcs_count is 3 but the basis uses 2 (MLIP itself refuses such a file)"));
        AssertSameModel(m, MtpFile.Parse(MtpFile.Format(m), "extra.mtp", CuNi));
    }

    // ---------------------------------------------------------------- writing

    [Fact]
    public void MlearnCuRoundTripsBitForBit()
    {
        var m = MtpFile.Read(TestData.Shared("mlearn", "Cu_mtp.mtp"), ["Cu"]);
        var path = Path.Combine(TestData.TempDir(), "cu.mtp");
        MtpFile.Write(path, m);
        var back = MtpFile.Read(path, ["Cu"]);
        AssertSameModel(m, back);
        Assert.Equal(MtpFile.Format(m), File.ReadAllText(path));
        Assert.Equal(MtpFile.Format(m), MtpFile.Format(back));

        var lines = File.ReadAllLines(path);
        Assert.Equal(27, lines.Length); // MLIP's layout: the same lines as the original file
        Assert.Equal(["MTP", "version = 1.1.0", "potential_name = MTP1m", "scaling = 0.1028102668858972", "species_count = 1",
            "potential_tag = ", "radial_basis_type = RBChebyshev", "\tmin_dist = 1.83239", "\tmax_dist = 3.9", "\tradial_basis_size = 8",
            "\tradial_funcs_count = 5", "\tradial_coeffs", "\t\t0-0"], lines[..13]);
        Assert.StartsWith("\t\t\t{0.7256602241827155, 0.5464228612753612, ", lines[13]);
        Assert.StartsWith("alpha_index_times = {{0, 0, 1, 295}, {1, 1, 1, 296}, ", lines[22]);
        Assert.Equal("species_coeffs = {-1.042228408382164}", lines[25]);
    }

    [Fact]
    public void TwoSpeciesModelRoundTrips()
    {
        var m0 = MtpModel.Untrained(8, ["Cu", "Ni"], 2.0, 5.0);
        var random = new Random(7);
        var species = new[] { -3.7 * random.NextDouble(), -4.1 * random.NextDouble() };
        var moments = Enumerable.Range(0, m0.Basis.ScalarCount).Select(_ => (2 * random.NextDouble() - 1) * Math.Pow(10, random.Next(-12, 3))).ToArray();
        var m = m0.WithLinear(species, moments);
        var text = MtpFile.Format(m);
        Assert.DoesNotContain("scaling", text); // 1 is MLIP's default and not written
        Assert.Contains("\n\t\t1-0\n", text);
        var back = MtpFile.Parse(text, "cuni.mtp", ["Cu", "Ni"]);
        AssertSameModel(m, back);
        Assert.Equal(text, MtpFile.Format(back));
        // Element names are the caller's: the same file read with other names.
        Assert.Equal(["Al", "Mg"], MtpFile.Parse(text, "cuni.mtp", ["Al", "Mg"]).Elements);
    }

    [Fact]
    public void NonIntegralMultiplicityAndExtremeNumbersRoundTrip()
    {
        var basis = new MomentBasis([0, 0], [(0, 0, 0), (0, 0, 0)], [(0, 1, 0.1, 2), (1, 1, -3.0, 2)], [0, 2], 3);
        var m = new MtpModel(basis, ["Cu"], 1e-300, 0.0, 1e-3, 2, 1, [double.Epsilon, -0.0], [-1.7976931348623157e308], [1.0 / 3, -2.0 / 3], "x");
        var text = MtpFile.Format(m);
        Assert.Contains("alpha_index_times = {{0, 1, 0.1, 2}, {1, 1, -3, 2}}", text);
        AssertSameModel(m, MtpFile.Parse(text, "x.mtp", ["Cu"]));
    }

    // ---------------------------------------------------------------- untrained templates

    [Fact]
    public void UntrainedTemplateIsReadOnlyWhenAllowed()
    {
        // An MLIP template: no radial coefficients, no linear coefficients.
        var template = Lines(ExampleLines.Where((_, k) => k + 1 is < 12 or > 24 and < 32));
        var path = WriteTemp(template);
        var m = MtpFile.Read(path, CuNi, allowUntrained: true, out var notes);
        Assert.Equal(2 * 2 * 2 * 3, m.RadialCoefficients.Length);
        Assert.Equal(1.0, m.RadialCoefficients[m.RadialIndex(1, 0, 0, 0)]);
        Assert.Equal(1.0, m.RadialCoefficients[m.RadialIndex(1, 0, 1, 1)]);
        Assert.Equal(2.0 * 2 * 2, m.RadialCoefficients.Sum());
        Assert.All(m.SpeciesCoefficients, c => Assert.Equal(0.0, c));
        Assert.All(m.MomentCoefficients, c => Assert.Equal(0.0, c));
        Assert.Contains(notes, n => n.Contains("no radial_coeffs"));
        Assert.Contains(notes, n => n.Contains("linear coefficients start at 0"));

        ReadFails(template, 12, "no radial_coeffs block before alpha_moments_count (an untrained template?");
        // Trained radial functions but no linear coefficients.
        ReadFails(WithoutLines(32, 33), 31, "the file ends before species_coeffs and moment_coeffs (an untrained template?");
        // MLIP's own writer leaves out species_count for an untrained potential: the elements give it.
        var noCount = MtpFile.Parse(Lines(ExampleLines.Where((_, k) => k + 1 is not 5 and (< 12 or > 24 and < 32))), "t.mtp", CuNi, true, out var n2);
        Assert.Equal(2, noCount.SpeciesCount);
        Assert.Contains(n2, n => n.Contains("no species_count"));
        ReadFails(WithoutLines(5, 5), 5, "'potential_tag' out of place: expected 'species_count'");
    }

    // ---------------------------------------------------------------- bad input

    [Fact]
    public void MissingFile()
    {
        var path = Path.Combine(TestData.TempDir(), "none.mtp");
        var e = Assert.Throws<DataFormatException>(() => MtpFile.Read(path, ["Cu"]));
        Assert.Equal(path, e.FilePath);
        Assert.Null(e.Line);
        Assert.Contains("no such file", e.Reason);
    }

    [Fact]
    public void NotAnMtpFile()
    {
        ReadFails("MTQ\n" + string.Join("\n", ExampleLines[1..]), 1, "the first line must be 'MTP' (found 'MTQ')");
        ReadFails("BEGIN_CFG\n", 1, "not an MLIP .mtp file");
        ReadFails("\n  \n", null, "the file is empty");
    }

    [Fact]
    public void UnsupportedVersion() => ReadFails(WithLine(2, "version = 1.0.0"), 2, "unsupported .mtp version '1.0.0' (only 1.1.0 is read)");

    [Fact]
    public void UnknownRadialBasisType()
    {
        ReadFails(WithLine(7, "radial_basis_type = RBChebyshev_repuls"), 7, "radial basis 'RBChebyshev_repuls' is not supported (only RBChebyshev)");
        ReadFails(WithLine(7, "radial_basis_type = Bessel"), 7, "radial basis 'Bessel' is not supported");
    }

    [Fact]
    public void NonNumeric()
    {
        ReadFails(WithLine(9, "\tmax_dist = five"), 9, "max_dist: 'five' is not a number");
        ReadFails(WithLine(17, "\t\t\t{1.5, x, 0.25}"), 17, "radial coefficients 0-1 row 0[1]: 'x' is not a number");
        ReadFails(WithLine(26, "alpha_index_basic_count = 5.0"), 26, "alpha_index_basic_count: '5.0' is not an integer");
        ReadFails(WithLine(29, "alpha_index_times = {{0, 1, 1, 5}, {2, 2, one, 6}, {3, 3, 1, 6}, {4, 4, 1, 6}}"), 29, "alpha_index_times[1] mult: 'one' is not a number");
        ReadFails(WithLine(32, "species_coeffs = {-1.5, 2,25}"), 32, "species_coeffs has 3 numbers, but species_count (line 5) is 2");
        ReadFails(WithLine(33, "moment_coeffs = {0.1, -0.2, 0.3, -0.4e}"), 33, "moment_coeffs[3]: '-0.4e' is not a number");
    }

    [Fact]
    public void NotFinite()
    {
        ReadFails(WithLine(4, "scaling = NaN"), 4, "scaling: 'NaN' is not finite");
        ReadFails(WithLine(23, "\t\t\t{2.5, -Infinity, 1e-3}"), 23, "radial coefficients 1-1 row 0[1]: '-Infinity' is not finite");
        ReadFails(WithLine(32, "species_coeffs = {-1.5, 1e999}"), 32, "species_coeffs[1]: '1e999' is not finite");
        ReadFails(WithLine(33, "moment_coeffs = {0.1, nan, 0.3, -0.4}"), 33, "moment_coeffs[1]: 'nan' is not finite");
    }

    [Fact]
    public void WrongCounts()
    {
        ReadFails(WithLine(26, "alpha_index_basic_count = 6"), 27, "alpha_index_basic has 5 entries, but alpha_index_basic_count (line 26) is 6");
        ReadFails(WithLine(28, "alpha_index_times_count = 3"), 29, "alpha_index_times has 4 entries, but alpha_index_times_count (line 28) is 3");
        ReadFails(WithLine(30, "alpha_scalar_moments = 5"), 31, "alpha_moment_mapping has 4 entries, but alpha_scalar_moments (line 30) is 5");
        ReadFails(WithLine(33, "moment_coeffs = {0.1, -0.2, 0.3}"), 33, "moment_coeffs has 3 numbers, but alpha_scalar_moments (line 30) is 4");
        ReadFails(WithLine(32, "species_coeffs = {-1.5}"), 32, "species_coeffs has 1 number, but species_count (line 5) is 2");
        ReadFails(WithLine(26, "alpha_index_basic_count = 8"), 26, "alpha_index_basic_count (8) exceeds alpha_moments_count (7, line 25)");
        ReadFails(WithLine(27, "alpha_index_basic = {{0, 0, 0, 0}, {1, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}}"), 27, "alpha_index_basic[1]: '{1, 0, 0}' is not 4 numbers");
    }

    [Fact]
    public void RadialCoefficientLineLengths()
    {
        ReadFails(WithLine(15, "\t\t\t{0, 1}"), 15, "radial coefficients 0-0 row 1 has 2 numbers, but radial_basis_size is 3");
        ReadFails(WithLine(21, "\t\t\t{0.2, 1, 0.5, 7}"), 21, "radial coefficients 1-0 row 1 has 4 numbers, but radial_basis_size is 3");
        ReadFails(WithoutLines(18, 18), 18, "radial coefficient block '0-1' (line 16) has 1 row, but radial_funcs_count is 2");
        ReadFails(WithLine(11, "\tradial_funcs_count = 1"), 15, "radial coefficient block '0-0' (line 13) has more than radial_funcs_count = 1 rows");
        ReadFails(WithLine(20, "\t\t\t{2, 0.5, 0.25"), 20, "the list does not end with '}' on this line");
    }

    [Fact]
    public void MissingPairBlocks()
    {
        ReadFails(WithoutLines(22, 24), 22, "missing radial coefficient block '1-1' (found 'alpha_moments_count'; species_count gives 4 blocks)");
        ReadFails(WithoutLines(16, 18), 16, "radial coefficient block '1-0' where '0-1' is expected (blocks go 0-0, 0-1, …, 1-0, …)");
        ReadFails(WithLine(5, "species_count = 1"), 16, "radial coefficient block '0-1' beyond the 1 of species_count = 1", ["Cu"]);
    }

    [Fact]
    public void IndicesOutOfRange()
    {
        ReadFails(WithLine(27, "alpha_index_basic = {{0, 0, 0, 0}, {2, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}}"), 27,
            "alpha_index_basic[1] uses radial function 2, but radial_funcs_count (line 11) is 2");
        ReadFails(WithLine(27, "alpha_index_basic = {{0, 0, 0, 0}, {1, 0, 0, 0}, {0, -1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}}"), 27,
            "alpha_index_basic[2] a is -1; it must be at least 0");
        ReadFails(WithLine(29, "alpha_index_times = {{0, 1, 1, 5}, {2, 2, 1, 6}, {3, 3, 1, 7}, {4, 4, 1, 6}}"), 29,
            "alpha_index_times[2] {3, 3, 1, 7} refers to a moment outside 0…6 (alpha_moments_count, line 25)");
        ReadFails(WithLine(29, "alpha_index_times = {{0, 1, 1, 4}, {2, 2, 1, 6}, {3, 3, 1, 6}, {4, 4, 1, 6}}"), 29,
            "alpha_index_times[0] {0, 1, 1, 4} writes basic moment 4");
        ReadFails(WithLine(29, "alpha_index_times = {{0, 1, 1, 5}, {6, 2, 1, 6}, {3, 3, 1, 6}, {4, 4, 1, 6}}"), 29,
            "alpha_index_times[1] {6, 2, 1, 6} reads moment 6, which is not complete before moment 6");
        ReadFails(WithLine(31, "alpha_moment_mapping = {0, 1, 5, 7}"), 31, "alpha_moment_mapping[3] = 7 is outside 0…6");
        // Caught by MomentBasis: moment 5 read (by product 1) before its last product (2).
        ReadFails(WithLine(29, "alpha_index_times = {{0, 1, 1, 5}, {5, 5, 1, 6}, {0, 0, 1, 5}, {4, 4, 1, 6}}"), 29,
            "alpha_index_times: moment 5 is read by product 1 before its last product 2");
    }

    [Fact]
    public void Truncated()
    {
        ReadFails(Lines(ExampleLines[..30]), 30, "the file ends before 'alpha_moment_mapping'");
        ReadFails(Lines(ExampleLines[..32]), 32, "the file ends before 'moment_coeffs'");
        ReadFails(Lines(ExampleLines[..20]), 20, "the file ends inside radial coefficient block '1-0' (line 19) after 1 row; radial_funcs_count is 2");
        ReadFails(Lines(ExampleLines[..8]), 8, "the file ends before 'max_dist'");
        ReadFails(Example[..^10], 33, "moment_coeffs: the list does not end with '}' on this line (a truncated line?)");
        ReadFails(Lines(ExampleLines[..1]), 1, "the file ends before 'version'");
    }

    [Fact]
    public void Distances()
    {
        ReadFails(WithLine(8, "\tmin_dist = -0.5"), 8, "min_dist is negative (-0.5)");
        ReadFails(WithLine(9, "\tmax_dist = 2"), 9, "max_dist (2) must exceed min_dist (2, line 8)");
        ReadFails(WithLine(9, "\tmax_dist = 1.5"), 9, "max_dist (1.5) must exceed min_dist");
        ReadFails(WithLine(4, "scaling = 0"), 4, "scaling must be positive (got 0)");
        ReadFails(WithLine(10, "\tradial_basis_size = 1"), 10, "radial_basis_size is 1; it must be at least 2");
    }

    [Fact]
    public void UnknownAndMisplacedKeys()
    {
        ReadFails(WithLine(6, "potential_flavour = spicy"), 6, "unknown key 'potential_flavour' (expected 'radial_basis_type')");
        ReadFails(WithLine(30, "alpha_scalar_count = 4"), 30, "unknown key 'alpha_scalar_count' (expected 'alpha_scalar_moments')");
        ReadFails(WithLine(12, "\tradial_coefs"), 12, "unknown key 'radial_coefs' (expected 'radial_coeffs')");
        ReadFails(Example + "comment = hello\n", 34, "unknown key 'comment' (expected the end of the file)");
        ReadFails(Example + "moment_coeffs = {1, 2, 3, 4}\n", 34, "'moment_coeffs' out of place: expected the end of the file");
        ReadFails(WithLine(26, "alpha_index_times_count = 4"), 26, "'alpha_index_times_count' out of place: expected 'alpha_index_basic_count'");
        ReadFails(WithLine(11, "magnetic_basis_type = RBChebyshev"), 11, "magnetic MTPs (magnetic_basis_type) are not supported");
        ReadFails(WithLine(32, "moment_coeffs = {0.1, -0.2, 0.3, -0.4}"), 32, "moment_coeffs without species_coeffs before it");
    }

    [Fact]
    public void Elements()
    {
        var e = ReadFails(Example, 5, "the file numbers 2 species but names none", useDefaultElements: false);
        Assert.Contains("--type-map Cu,Ni", e.Reason);
        ReadFails(Example, 5, "1 element given (Cu) for 2 species", ["Cu"]);
        ReadFails(Example, 5, "3 elements given (Cu,Ni,Al) for 2 species", ["Cu", "Ni", "Al"]);
        ReadFails(Example, null, "unknown element 'Qq'", ["Cu", "Qq"]);
        ReadFails(Example, null, "name an element twice", ["Cu", "Cu"]);
        var cu = TestData.Shared("mlearn", "Cu_mtp.mtp");
        var one = Assert.Throws<DataFormatException>(() => MtpFile.Read(cu, null));
        Assert.Equal((cu, 5), (one.FilePath, one.Line));
        Assert.Equal("the file numbers 1 species but names none: name the elements of species 0…0 (e.g. --type-map Cu)", one.Reason);
    }
}
