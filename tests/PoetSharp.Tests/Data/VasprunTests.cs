using System.Text;
using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Data;

/// <summary>
/// The vasprun.xml reader against ASE 3.22.1 (ase.io.read(path, ':')) on the repository's real VASP 6.3.0 file
/// and on a hand-made multi-species fixture, and on damaged copies of the real file.
/// </summary>
public class VasprunTests
{
    private static readonly string RealFile = TestData.Repo("vasp", "vasprun_Cu21.xml");
    private static readonly string MultiFixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "vasprun", "vasprun_multi.xml");

    // Atoms left free by selective dynamics in the real file (0-based); the other 17 are fixed.
    private static readonly int[] FreeAtoms = [1, 2, 10, 16];

    // The file prints stress with 1e-8 kB resolution, i.e. 6.2e-12 eV/Å³; ASE takes the upper triangle of the
    // (very slightly asymmetric) tensor, the reader symmetrises, so off-diagonal values agree to that resolution.
    private const double StressTolerance = 1e-11;

    [Fact]
    public void RealFile_HasTheTwoIonicStepsAseReads()
    {
        var data = Vasprun.Read(RealFile);

        Assert.Equal(2, data.Count);
        Assert.Equal(["vasprun_Cu21/0", "vasprun_Cu21/1"], data.Structures.Select(s => s.Name));
        Assert.All(data.Structures, s =>
        {
            Assert.Equal("vasprun_Cu21", s.Group);
            Assert.Equal(21, s.Count);
            Assert.All(s.Species, sp => Assert.Equal("Cu", sp));
            Assert.NotNull(s.Forces);
            Assert.NotNull(s.Stress);
        });
        Assert.Equal(RealFile, data.Source);
    }

    [Fact]
    public void RealFile_EnergiesAreAsesE0()
    {
        var data = Vasprun.Read(RealFile);

        Assert.Equal(-72.25868030, data[0].Energy!.Value, 1e-8);
        Assert.Equal(-72.25922675, data[1].Energy!.Value, 1e-8);
        Assert.Contains(data.Notes, n => n.Contains("e_0_energy") && n.Contains("as ASE reports it"));
    }

    [Fact]
    public void RealFile_FreeEnergyOption_KeepsForceConsistentEnergy()
    {
        var data = Vasprun.Read(RealFile, VasprunEnergy.Free);

        // ASE: get_potential_energy(force_consistent=True).
        Assert.Equal(-72.27857287, data[0].Energy!.Value, 1e-8);
        Assert.Equal(-72.27911427, data[1].Energy!.Value, 1e-8);
        Assert.Contains(data.Notes, n => n.Contains("energy = e_fr_energy"));
    }

    [Fact]
    public void RealFile_Forces_AreVaspsForAllAtoms()
    {
        var data = Vasprun.Read(RealFile);
        var f0 = data[0].Forces!;
        var f1 = data[1].Forces!;

        // ASE's max |force| 0.0455 eV/Å is the largest component after its FixAtoms constraint zeroes the
        // fixed atoms; over the free atoms the reader gives the same.
        Assert.Equal(0.04549242, FreeAtoms.SelectMany(i => new[] { f0[i].X, f0[i].Y, f0[i].Z }).Max(Math.Abs), 1e-12);
        Assert.Equal(0.00370081, FreeAtoms.SelectMany(i => new[] { f1[i].X, f1[i].Y, f1[i].Z }).Max(Math.Abs), 1e-12);
        // All atoms, as get_forces(apply_constraint=False).
        Assert.Equal(0.87639142, f0.SelectMany(f => new[] { f.X, f.Y, f.Z }).Max(Math.Abs), 1e-12);
        Assert.Equal(1.068159658045064, f0.Max(f => f.Length), 1e-12);
        Assert.Equal(1.0730434381484377, f1.Max(f => f.Length), 1e-12);
        AssertVec(new Vec3(0.87639142, -0.54701199, -0.10087365), f0[0], 1e-12);
        AssertVec(new Vec3(-0.84830343, 0.55182643, -0.10082940), f0[20], 1e-12);
        AssertVec(new Vec3(-0.00289705, 0.00286474, -0.00365314), f1[1], 1e-12);
        Assert.Contains(data.Notes, n => n.Contains("selective dynamics fixes 17 of 21 atoms"));
    }

    [Fact]
    public void RealFile_Stress_ConvertedFromKbarLikeAse()
    {
        var data = Vasprun.Read(RealFile);

        AssertStress([2.7734324995e-03, 2.7734178881e-03, 2.7387411869e-04, -9.5495089626e-08, 9.2187089789e-08, 7.5260117040e-08], data[0].Stress!.Value);
        AssertStress([2.7486520542e-03, 2.7486481658e-03, 2.5068100157e-04, 7.1955862109e-07, -7.1157573091e-07, 1.4083965343e-07], data[1].Stress!.Value);
    }

    [Fact]
    public void RealFile_CellAndPositions_MatchAse()
    {
        var data = Vasprun.Read(RealFile);

        foreach (var s in data.Structures)
        {
            AssertVec(new Vec3(23.39964831, 0, 0), s.Cell.A, 0);
            AssertVec(new Vec3(0, 23.39964831, 0), s.Cell.B, 0);
            AssertVec(new Vec3(0, 0, 18.6769), s.Cell.C, 0);
            Assert.True(s.Cell.FullyPeriodic);
        }
        AssertVec(new Vec3(9.0998847853, 11.7004454157, 9.3387172664), data[0].Positions[0], 1e-9);
        AssertVec(new Vec3(14.3004608342, 9.0991921558, 9.3396292595), data[0].Positions[1], 1e-9);
        AssertVec(new Vec3(16.8997627974, 9.0992031536, 9.3387204415), data[0].Positions[20], 1e-9);
        AssertVec(new Vec3(14.2985998601, 9.1010524278, 9.3387351963), data[1].Positions[1], 1e-9);
    }

    [Fact]
    public void RealFile_BlockAfterTheDocumentEnd_IsIgnoredWithNote()
    {
        // The file closes </modeling> at line 1549 and then repeats the last step in a third <calculation>
        // (line 1550) and another </modeling>: outside the XML document, so ignored, as by ASE.
        var data = Vasprun.Read(RealFile);

        Assert.Equal(2, data.Count);
        var note = Assert.Single(data.Notes, n => n.Contains("ignored the content after the end of the <modeling> document (line 1549)"));
        Assert.Contains("from line 1550, 1 <calculation> block(s) and 1 other element(s), not well-formed", note);
    }

    [Fact]
    public void DataFiles_DispatchesXmlToTheVasprunReader()
    {
        Assert.Equal(2, DataFiles.Read(RealFile).Count);
    }

    [Fact]
    public void MultiSpeciesFixture_MatchesAse()
    {
        var data = Vasprun.Read(MultiFixture);

        Assert.Equal(2, data.Count);
        Assert.Equal(["Cu", "Cu", "Ag", "O"], data[0].Species);
        Assert.Equal(["Cu", "Cu", "Ag", "O"], data[1].Species);
        Assert.Equal("vasprun_multi/1", data[1].Name);

        // Triclinic cells: Cartesian = fractional · basis.
        AssertVec(new Vec3(2.25, 0.35, 2.6), data[0].Positions[2], 1e-12);
        AssertVec(new Vec3(0.75, 2.25, 2.6), data[0].Positions[3], 1e-12);
        AssertVec(new Vec3(2.56035, 1.88769, 0.05252), data[1].Positions[1], 1e-12);
        AssertVec(new Vec3(4.76215, 2.30381, 2.57348), data[1].Positions[3], 1e-12);
        AssertVec(new Vec3(0.505, 0.707, 5.252), data[1].Cell.C, 0);

        AssertVec(new Vec3(0.7, -0.8, 0.9), data[0].Forces![2], 0);
        AssertVec(new Vec3(-0.04, 0.05, -0.06), data[1].Forces![3], 0);

        AssertStress([-0.007801886407354, 0.004681131844412, -0.002340565922206, -0.000390094320368, 0.001560377281471, -0.000780188640735], data[0].Stress!.Value);
        Assert.Null(data[1].Stress); // the second step has no stress block

        Assert.Contains(data.Notes, n => n.Contains("selective dynamics fixes 1 of 4 atoms and 1 more in some directions"));
    }

    [Fact]
    public void MultiSpeciesFixture_InconsistentCalculationE0_IsCorrectedAsAseDoes()
    {
        var sigma0 = Vasprun.Read(MultiFixture);
        // Step 1's calculation block says e_0_energy = -11.485, but e_fr_energy = -13.0 and its last electronic
        // step has e_0 - e_fr = +0.015: ASE (and the reader) give -12.985.
        Assert.Equal(-12.3356789, sigma0[0].Energy!.Value, 1e-10);
        Assert.Equal(-12.985, sigma0[1].Energy!.Value, 1e-10);
        Assert.Contains(sigma0.Notes, n => n.Contains("in 1 step(s) the calculation's e_0_energy disagreed"));

        var free = Vasprun.Read(MultiFixture, VasprunEnergy.Free);
        Assert.Equal(-12.3456789, free[0].Energy!.Value, 1e-10);
        Assert.Equal(-13.0, free[1].Energy!.Value, 1e-10);
        Assert.DoesNotContain(free.Notes, n => n.Contains("disagreed"));
    }

    // ---- Killed runs: the file breaks off ----

    [Fact]
    public void TruncatedInTheMiddleOfAStep_KeepsTheCompleteStepsWithNote()
    {
        // Ends half-way through line 1136, inside the forces of the second step.
        var path = Truncated(1135, 20);

        var data = Vasprun.Read(path);

        var s = Assert.Single(data.Structures);
        Assert.Equal("vasprun_Cu21/0", s.Name);
        Assert.Equal(-72.25868030, s.Energy!.Value, 1e-8);
        var note = Assert.Single(data.Notes, n => n.Contains("the file ends at line 1136"));
        Assert.Contains("kept the 1 complete ionic step(s)", note);
        Assert.Contains("incomplete ionic step 1 (from line 1040) was dropped", note);
    }

    [Fact]
    public void TruncatedAfterAStepsEnergy_KeepsThatStep()
    {
        // Ends inside the eigenvalues of the second step, after its final energy block: the step has all its data.
        var path = Truncated(1300, 0);

        var data = Vasprun.Read(path);

        Assert.Equal(2, data.Count);
        Assert.Equal(-72.25922675, data[1].Energy!.Value, 1e-8);
        Assert.NotNull(data[1].Forces);
        Assert.Contains(data.Notes, n => n.Contains("the file ends at line 1301") && !n.Contains("dropped"));
    }

    [Fact]
    public void TruncatedBeforeTheFirstStepIsComplete_IsAnError()
    {
        var path = Truncated(1010, 30); // inside the first step's forces

        var e = Assert.Throws<DataFormatException>(() => Vasprun.Read(path));

        Assert.Equal(path, e.FilePath);
        Assert.Equal(1011, e.Line);
        Assert.Contains("before the first ionic step is complete", e.Reason);
    }

    [Fact]
    public void TruncatedInTheHeader_IsAnError()
    {
        var path = Truncated(300, 10);

        var e = Assert.Throws<DataFormatException>(() => Vasprun.Read(path));

        Assert.Equal(301, e.Line);
        Assert.Contains("header", e.Reason);
    }

    [Fact]
    public void EmptyFile_IsAnError()
    {
        var path = Path.Combine(TestData.TempDir(), "vasprun.xml");
        File.WriteAllText(path, "");

        var e = Assert.Throws<DataFormatException>(() => Vasprun.Read(path));
        Assert.Contains("empty", e.Reason);
    }

    // ---- Malformed content ----

    [Fact]
    public void MalformedXmlInTheMiddle_IsAnErrorNotATruncation()
    {
        var path = Edited(lines => Replace(lines, 1110, "</v>", "</w>"));

        var e = Assert.Throws<DataFormatException>(() => Vasprun.Read(path));

        Assert.Equal(1110, e.Line);
        Assert.StartsWith("malformed XML", e.Reason);
        Assert.DoesNotContain("Line 1110, position", e.Reason);
    }

    [Theory]
    [InlineData("0.86931381", "0.869x1381", "not a number")]
    [InlineData("0.86931381", "NaN", "not a finite number")]
    [InlineData("0.86931381", "Infinity", "not a finite number")]
    [InlineData("0.86931381", "**********", "not a number")] // Fortran's overflow
    public void BadNumberInForces_IsAnErrorOnItsLine(string old, string replacement, string expected)
    {
        var path = Edited(lines => Replace(lines, 1009, old, replacement));

        var e = Assert.Throws<DataFormatException>(() => Vasprun.Read(path));

        Assert.Equal(1009, e.Line);
        Assert.Contains("ionic step 0: forces, row 4", e.Reason);
        Assert.Contains(expected, e.Reason);
    }

    [Theory]
    [InlineData("0.38888961", "nan", "not a finite number")]
    [InlineData("0.38888961", "0.38,888961", "not a number")]
    public void BadNumberInPositions_IsAnErrorOnItsLine(string old, string replacement, string expected)
    {
        var path = Edited(lines => Replace(lines, 985, old, replacement));

        var e = Assert.Throws<DataFormatException>(() => Vasprun.Read(path));

        Assert.Equal(985, e.Line);
        Assert.Contains("ionic step 0: positions, row 4", e.Reason);
        Assert.Contains(expected, e.Reason);
    }

    [Fact]
    public void MissingNumberInARow_IsAnError()
    {
        var path = Edited(lines => Replace(lines, 1009, "0.55193959", ""));

        var e = Assert.Throws<DataFormatException>(() => Vasprun.Read(path));

        Assert.Equal(1009, e.Line);
        Assert.Contains("expected 3 numbers, found 2", e.Reason);
    }

    [Fact]
    public void MissingForceRow_IsAnError()
    {
        var path = Edited(lines => lines.RemoveAt(1009 - 1));

        var e = Assert.Throws<DataFormatException>(() => Vasprun.Read(path));

        Assert.Equal(1005, e.Line); // the <varray name="forces"> line
        Assert.Contains("ionic step 0: forces: 20 rows, expected 21", e.Reason);
    }

    [Fact]
    public void ExtraForceRow_IsAnError()
    {
        var path = Edited(lines => lines.Insert(1009, lines[1009 - 1]));

        var e = Assert.Throws<DataFormatException>(() => Vasprun.Read(path));

        Assert.Contains("forces: 22 rows, expected 21", e.Reason);
    }

    [Fact]
    public void MissingAtomInfo_IsAnError()
    {
        var path = Edited(lines =>
        {
            Assert.Contains("<atominfo>", lines[433 - 1]);
            Assert.Contains("</atominfo>", lines[475 - 1]);
            lines.RemoveRange(433 - 1, 475 - 433 + 1);
        });

        var e = Assert.Throws<DataFormatException>(() => Vasprun.Read(path));

        Assert.Equal(540 - 43, e.Line); // the first <calculation>
        Assert.Contains("<atominfo>", e.Reason);
    }

    [Fact]
    public void UnknownElementInAtomInfo_IsAnError()
    {
        var path = Edited(lines => Replace(lines, 442, "<c>Cu</c>", "<c>Qq</c>"));

        var e = Assert.Throws<DataFormatException>(() => Vasprun.Read(path));

        Assert.Equal(442, e.Line);
        Assert.Contains("atom 2: 'Qq' is not an element symbol", e.Reason);
    }

    [Fact]
    public void AtomCountDisagreeingWithAtomInfo_IsAnError()
    {
        var path = Edited(lines => Replace(lines, 434, "21", "22"));

        var e = Assert.Throws<DataFormatException>(() => Vasprun.Read(path));

        Assert.Equal(434, e.Line);
        Assert.Contains("<atoms> says 22 atoms but the array of atoms has 21 rows", e.Reason);
    }

    [Fact]
    public void SingularBasis_IsAnError()
    {
        // Second lattice vector of the first step made equal to the first.
        var path = Edited(lines => lines[971 - 1] = lines[970 - 1]);

        var e = Assert.Throws<DataFormatException>(() => Vasprun.Read(path));

        Assert.Equal(969, e.Line); // the <varray name="basis"> line
        Assert.Contains("ionic step 0: basis", e.Reason);
        Assert.Contains("singular", e.Reason);
    }

    [Fact]
    public void StepWithoutEnergyBlock_IsAnError()
    {
        var path = Edited(lines =>
        {
            Assert.Contains("<energy>", lines[1033 - 1]);
            Assert.Contains("</energy>", lines[1037 - 1]);
            lines.RemoveRange(1033 - 1, 5);
        });

        var e = Assert.Throws<DataFormatException>(() => Vasprun.Read(path));

        Assert.Equal(540, e.Line);
        Assert.Contains("ionic step 0: <calculation> has no <energy> block", e.Reason);
    }

    [Fact]
    public void NotAVasprunFile_IsAnError()
    {
        var path = Path.Combine(TestData.TempDir(), "other.xml");
        File.WriteAllText(path, "<?xml version=\"1.0\"?>\n<root><a/></root>\n");

        var e = Assert.Throws<DataFormatException>(() => Vasprun.Read(path));

        Assert.Equal(2, e.Line);
        Assert.Contains("expected the root element <modeling>, found <root>", e.Reason);
    }

    [Fact]
    public void MissingFile_IsAnError()
    {
        var path = Path.Combine(TestData.TempDir(), "vasprun.xml");

        var e = Assert.Throws<DataFormatException>(() => Vasprun.Read(path));

        Assert.Equal(path, e.FilePath);
        Assert.Null(e.Line);
    }

    // ---- helpers ----

    private static List<string> RealLines() => File.ReadAllLines(RealFile, Encoding.Latin1).ToList();

    /// <summary>A copy of the real file (same name) after an edit of its lines (0-based list, 1-based line numbers in the tests).</summary>
    private static string Edited(Action<List<string>> edit)
    {
        var lines = RealLines();
        edit(lines);
        var path = Path.Combine(TestData.TempDir(), Path.GetFileName(RealFile));
        File.WriteAllText(path, string.Join("\n", lines) + "\n", Encoding.Latin1);
        return path;
    }

    /// <summary>The first <paramref name="lines"/> lines, then <paramref name="chars"/> characters of the next line and nothing more.</summary>
    private static string Truncated(int lines, int chars)
    {
        var all = RealLines();
        var text = string.Join("\n", all.Take(lines)) + "\n" + all[lines][..chars];
        var path = Path.Combine(TestData.TempDir(), Path.GetFileName(RealFile));
        File.WriteAllText(path, text, Encoding.Latin1);
        return path;
    }

    private static void Replace(List<string> lines, int line, string old, string replacement)
    {
        Assert.Contains(old, lines[line - 1]);
        lines[line - 1] = lines[line - 1].Replace(old, replacement);
    }

    private static void AssertVec(Vec3 expected, Vec3 actual, double tolerance)
    {
        Assert.Equal(expected.X, actual.X, tolerance);
        Assert.Equal(expected.Y, actual.Y, tolerance);
        Assert.Equal(expected.Z, actual.Z, tolerance);
    }

    private static void AssertStress(double[] expectedVoigt, Stress actual)
    {
        var v = actual.ToVoigt();
        for (var k = 0; k < 6; k++) Assert.Equal(expectedVoigt[k], v[k], StressTolerance);
    }
}
