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
    [InlineData("a0 FCC 3.6 Å extra\n", 1, "found 5")]
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
