using PoetSharp.Data;
using PoetSharp.Properties;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Properties;

public class TargetPropertiesTests
{
    [Fact]
    public void ReadsPoetsDftCopperReference()
    {
        var t = TargetProperties.Read(TestData.Repo("poet", "DFT_Cu", "0K", "TargetProperties_0K.data"));
        Assert.Equal("reference_1", t.Title);
        Assert.Equal(23, t.Properties.Count);
        Assert.Equal(3.63244675155019, t.Find("a0", "FCC")!.Value);
        Assert.Equal("Å", t.Find("a0", "BCC")!.Unit);
        Assert.Equal(176.19, t.Find("C11", "FCC")!.Value);
        // A tab-separated row.
        Assert.Equal(3.54885070499999, t.Find("Edumbbell_f", "FCC")!.Value);
        Assert.Equal("meV/(Å^2)", t.Find("Esurf_332", "FCC")!.Unit);
        Assert.Equal(0.0046109425, t.Find("delta_E0", "HCP_FCC")!.Value);
        Assert.Null(t.Find("a0", "HCP"));
    }

    [Theory]
    [InlineData("a0 FCC 3.6 Å\nC11 FCC 176\n", 2, "expected 4 fields")]
    [InlineData("title\na0 FCC abc Å\n", 2, "not a number")]
    [InlineData("a0 FCC NaN Å\n", 1, "not finite")]
    [InlineData("a0 FCC 1e999 Å\n", 1, "not finite")]
    [InlineData("a0 FCC 3.6 Å\n\na0 FCC 3.7 Å\n", 3, "given twice (first on line 1)")]
    [InlineData("title\nsecond\n", 2, "expected 4 fields")]
    [InlineData("a0 FCC 3.6 Å extra\n", 1, "unexpected field 'extra' after the unit")]
    [InlineData("title\nEdumbbell_f FCC 3.5 eV supercell=1\n", 2, "supercell '1' must be a whole number of conventional cubes from 2 to 12")]
    [InlineData("Edumbbell_f FCC 3.5 eV supercell=2.5\n", 1, "supercell '2.5'")]
    [InlineData("Edumbbell_f FCC 3.5 eV cell=fixed\n", 1, "cell 'fixed' must be constant-volume or zero-pressure")]
    [InlineData("Edumbbell_f FCC 3.5 eV supercell=2 supercell=3\n", 1, "once each")]
    [InlineData("a0 FCC 3.6 Å\nC11 FCC 176 GPa supercell=2\n", 2, "C11 FCC cannot name a cell")]
    public void BadInputNamesFileAndLine(string text, int line, string reason)
    {
        var path = Path.Combine(TestData.TempDir(), "TargetProperties_0K.data");
        File.WriteAllText(path, text);
        var e = Assert.Throws<DataFormatException>(() => TargetProperties.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.Equal(line, e.Line);
        Assert.Contains(reason, e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("reference_1\n\n")]
    public void EmptyFilesAreRejected(string text)
    {
        var path = Path.Combine(TestData.TempDir(), "empty.data");
        File.WriteAllText(path, text);
        var e = Assert.Throws<DataFormatException>(() => TargetProperties.Read(path));
        Assert.Contains("no properties", e.Message);
    }

    [Fact]
    public void PointDefectsMayNameTheCellOfTheirReference()
    {
        var path = Path.Combine(TestData.TempDir(), "TargetProperties_0K.data");
        File.WriteAllText(path, "reference_1\nEv_f FCC 1.07 eV cell=zero-pressure\nEdumbbell_f\tFCC\t3.549\teV\tsupercell=2 cell=constant-volume\nC11 FCC 176 GPa\n");
        var t = TargetProperties.Read(path);
        var dumbbell = t.Find("Edumbbell_f", "FCC")!;
        Assert.Equal((2, PoetSharp.Simulation.CellRelaxation.Fixed), (dumbbell.Supercell, dumbbell.Cell));
        Assert.Equal("2×2×2 cubes at constant volume", dumbbell.DescribeSetup());
        Assert.Equal((null, PoetSharp.Simulation.CellRelaxation.Isotropic), (t.Find("Ev_f", "FCC")!.Supercell, t.Find("Ev_f", "FCC")!.Cell));
        Assert.Equal("", t.Find("C11", "FCC")!.DescribeSetup());

        // The suite's set-up takes the references' cells and keeps the rest.
        var setup = t.Apply(PropertySetup.Screening);
        Assert.Equal((2, PoetSharp.Simulation.CellRelaxation.Fixed), (setup.DumbbellSupercell, setup.DumbbellCell));
        Assert.Equal((PropertySetup.Screening.VacancySupercell, PoetSharp.Simulation.CellRelaxation.Isotropic), (setup.VacancySupercell, setup.VacancyCell));
        Assert.Equal(PropertySetup.Screening with { DumbbellSupercell = 2, DumbbellCell = PoetSharp.Simulation.CellRelaxation.Fixed, VacancyCell = PoetSharp.Simulation.CellRelaxation.Isotropic }, setup);
        // POET's file names no cells: the set-up is unchanged.
        Assert.Equal(PropertySetup.Converged, TargetProperties.Read(TestData.Repo("poet", "DFT_Cu", "0K", "TargetProperties_0K.data")).Apply(PropertySetup.Converged));

        // The JSON form carries the same and round-trips it.
        var json = Path.Combine(TestData.TempDir(), "targets.json");
        File.WriteAllText(json, TargetProperties.ToJson(t.Title, t.Properties));
        Assert.Equal(t.Properties.Select(p => (p.Name, p.Supercell, p.Cell)), TargetProperties.Read(json).Properties.Select(p => (p.Name, p.Supercell, p.Cell)));
    }

    [Fact]
    public void TheShippedCellsFileIsPoetsWithTheDumbbellsCellNamed()
    {
        var poet = TargetProperties.Read(TestData.Repo("poet", "DFT_Cu", "0K", "TargetProperties_0K.data"));
        var cells = TargetProperties.Read(TestData.Repo("poet", "DFT_Cu", "0K", "TargetProperties_0K_cells.data"));
        Assert.Equal(poet.Properties.Select(p => (p.Name, p.Structure, p.Value, p.Unit)), cells.Properties.Select(p => (p.Name, p.Structure, p.Value, p.Unit)));
        Assert.Equal(["Edumbbell_f"], cells.Properties.Where(p => p.Supercell is not null || p.Cell is not null).Select(p => p.Name));
        Assert.Equal("2×2×2 cubes at constant volume", cells.Find("Edumbbell_f", "FCC")!.DescribeSetup());
    }

    [Fact]
    public void MissingFileAndFolderAreReported()
    {
        var folder = TestData.TempDir();
        Assert.Contains("no such file", Assert.Throws<DataFormatException>(() => TargetProperties.Read(Path.Combine(folder, "none.data"))).Message);
        Assert.Contains("is a folder", Assert.Throws<DataFormatException>(() => TargetProperties.Read(folder)).Message);
    }
}

/// <summary>The JSON form of the target properties: the same records with weights and tolerances, and bad input named by file and line.</summary>
public class TargetPropertiesJsonTests
{
    private static string Write(string text)
    {
        var path = Path.Combine(TestData.TempDir(), "targets.json");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void ReadsRecordsWithWeightsAndTolerances()
    {
        var t = TargetProperties.Read(Write("""
            {
              "title": "DFT Cu",
              "properties": [
                {"property": "a0", "structure": "FCC", "value": 3.632, "unit": "Å"},
                {"property": "C11", "structure": "FCC", "value": 176.19, "unit": "GPa", "weight": 2, "tolerance": 4},
                {"property": "B0'", "structure": "FCC", "value": 5.1, "unit": "", "weight": 0}
              ]
            }
            """));
        Assert.Equal("DFT Cu", t.Title);
        Assert.Equal(3, t.Properties.Count);
        Assert.Equal(3.632, t.Find("a0", "FCC")!.Value);
        Assert.Null(t.Find("a0", "FCC")!.Weight);
        Assert.Equal(2.0, t.Find("C11", "FCC")!.Weight);
        Assert.Equal(4.0, t.Find("C11", "FCC")!.Tolerance);
        Assert.Equal(0.0, t.Find("B0'", "FCC")!.Weight);
        Assert.Equal(5, t.Find("C11", "FCC")!.Line);
    }

    [Fact]
    public void PoetsFileRoundTripsThroughTheJsonForm()
    {
        var poet = TargetProperties.Read(TestData.Repo("poet", "DFT_Cu", "0K", "TargetProperties_0K.data"));
        var json = TargetProperties.Read(Write(TargetProperties.ToJson(poet.Title, poet.Properties)));
        Assert.Equal(poet.Title, json.Title);
        Assert.Equal(poet.Properties.Select(p => (p.Name, p.Structure, p.Value, p.Unit)), json.Properties.Select(p => (p.Name, p.Structure, p.Value, p.Unit)));
    }

    [Theory]
    [InlineData("{\"properties\": [\n{\"property\": \"a0\", \"structure\": \"FCC\", \"value\": 3.6,", 2, "invalid JSON")]
    [InlineData("{\"properties\": [\n{\"property\": \"a0\", \"structure\": \"FCC\", \"value\": \"abc\", \"unit\": \"Å\"}]}", 2, "\"value\" must be a number")]
    [InlineData("{\"properties\": [\n{\"property\": \"a0\", \"structure\": \"FCC\", \"value\": NaN, \"unit\": \"Å\"}]}", 2, "invalid JSON")]
    [InlineData("{\"properties\": [{\"property\": \"a0\", \"structure\": \"FCC\", \"value\": 3.6, \"unit\": \"Å\"},\n{\"structure\": \"FCC\", \"value\": 3.6, \"unit\": \"Å\"}]}", 2, "record 1: no \"property\"")]
    [InlineData("{\"properties\": [\n{\"property\": \"a0\", \"structure\": \"FCC\", \"value\": 3.6, \"unit\": \"Å\"},\n{\"property\": \"a0\", \"structure\": \"FCC\", \"value\": 3.7, \"unit\": \"Å\"}]}", 3, "given twice (first on line 2)")]
    [InlineData("{\"properties\": [\n{\"property\": \"a0\", \"structure\": \"FCC\", \"value\": 3.6, \"unit\": \"Å\", \"weight\": -1}]}", 2, "\"weight\" cannot be negative")]
    [InlineData("{\"properties\": [\n{\"property\": \"a0\", \"structure\": \"FCC\", \"value\": 3.6, \"unit\": \"Å\", \"tolerance\": 0}]}", 2, "\"tolerance\" must be positive")]
    [InlineData("{\"properties\": [\n{\"property\": \"a0\", \"structure\": \"FCC\", \"value\": 3.6}]}", 2, "\"unit\" must be a string")]
    [InlineData("{\"title\": \"x\"}", 1, "no \"properties\" list")]
    [InlineData("[\n1]", 2, "expected an object")]
    [InlineData("{\"properties\": [\n{\"property\": \"Edumbbell_f\", \"structure\": \"FCC\", \"value\": 3.5, \"unit\": \"eV\", \"supercell\": 2.5}]}", 2, "\"supercell\" must be a whole number")]
    [InlineData("{\"properties\": [\n{\"property\": \"Edumbbell_f\", \"structure\": \"FCC\", \"value\": 3.5, \"unit\": \"eV\", \"supercell\": 20}]}", 2, "supercell '20'")]
    [InlineData("{\"properties\": [\n{\"property\": \"Edumbbell_f\", \"structure\": \"FCC\", \"value\": 3.5, \"unit\": \"eV\", \"cell\": 1}]}", 2, "\"cell\" must be")]
    [InlineData("{\"properties\": [\n{\"property\": \"a0\", \"structure\": \"FCC\", \"value\": 3.6, \"unit\": \"Å\", \"cell\": \"zero-pressure\"}]}", 2, "a0 FCC cannot name a cell")]
    public void BadInputNamesFileAndLine(string text, int line, string reason)
    {
        var path = Write(text);
        var e = Assert.Throws<DataFormatException>(() => TargetProperties.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.Equal(line, e.Line);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void EmptyListAndMissingFileAreReported()
    {
        Assert.Contains("no properties", Assert.Throws<DataFormatException>(() => TargetProperties.Read(Write("{\"properties\": []}"))).Message);
        Assert.Contains("no such file", Assert.Throws<DataFormatException>(() => TargetProperties.Read(Path.Combine(TestData.TempDir(), "none.json"))).Message);
    }
}
