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
