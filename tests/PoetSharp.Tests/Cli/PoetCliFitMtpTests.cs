using System.Text.Json;
using PoetSharp.Data;
using PoetSharp.Mtp;
using PoetSharp.Potentials;
using PoetSharp.Tests.Mtp;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Cli;

/// <summary>`poet fit-mtp` end to end on Cu–Ni cells labelled by a known MTP, then the result in eval, md and resume.</summary>
public class PoetCliFitMtpTests
{
    private static string TeacherData()
    {
        var teacher = MtpModelTests.RandomModel(8, ["Cu", "Ni"], 13);
        var path = Path.Combine(TestData.TempDir(), "teacher.xyz");
        DataFiles.Write(path, new Dataset(MtpTrainerTests.Labelled(teacher, 16, 70), path));
        return path;
    }

    [Fact]
    public void FitsWritesAnMtpFileAndItsErrorsAndTheFileRunsInEvalMdAndResume()
    {
        var data = TeacherData();
        var dir = TestData.TempDir();
        var fit = CliRun.Of("fit-mtp", "-d", data, "--level", "8", "--cutoff", "4.6", "--min-dist", "1.9", "--radial-basis-size", "6",
            "--iterations", "40", "--split", "0.25", "--seed", "3", "-o", dir);
        Assert.True(fit.ExitCode == 0, fit.Stderr);
        // Without --type-map the species are numbered by atomic number: Ni (28) before Cu (29).
        Assert.Contains("species 0 = Ni, 1 = Cu", fit.Stdout);
        var model = MtpFile.Read(Path.Combine(dir, "model.mtp"), ["Ni", "Cu"]);
        Assert.Equal(4.6, model.Cutoff);
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "fit.json"))))
        {
            var training = json.RootElement.GetProperty("training")[0];
            Assert.Equal(12, training.GetProperty("structures").GetInt32());
            Assert.True(training.GetProperty("forceRmse").GetDouble() < 0.05, $"training force RMSE {training.GetProperty("forceRmse").GetDouble()} eV/Å");
            Assert.Equal(4, json.RootElement.GetProperty("validationErrors")[0].GetProperty("structures").GetInt32());
        }

        var eval = CliRun.Of("--type-map", "Ni,Cu", "eval", "--potential", Path.Combine(dir, "model.mtp"), "-d", data, "--json");
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        var md = CliRun.Of("--type-map", "Ni,Cu", "md", "--potential", Path.Combine(dir, "model.mtp"), "--build", "fcc:Cu:3.6:2x2x2",
            "--temperature", "300", "--steps", "10", "--thermo", "0", "--json");
        Assert.True(md.ExitCode == 0, md.Stderr);

        // The model file names its elements: no --type-map needed.
        var byModelFile = CliRun.Of("eval", "--model", Path.Combine(dir, "model.json"), "-d", data, "--json");
        Assert.True(byModelFile.ExitCode == 0, byModelFile.Stderr);
        Assert.Equal(JsonDocument.Parse(eval.Stdout).RootElement.GetProperty("overall").GetRawText(),
            JsonDocument.Parse(byModelFile.Stdout).RootElement.GetProperty("overall").GetRawText());

        // refit is for closed forms: an MTP model file gets one line pointing to fit-mtp --start.
        var refit = CliRun.Of("refit", "--model", Path.Combine(dir, "model.json"), "-d", data);
        refit.AssertOneLineError(1);
        Assert.Contains("fit-mtp --start", refit.Stderr);

        var resumed = CliRun.Of("fit-mtp", "--resume", dir, "--iterations", "3");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains(Path.Combine(dir, "model.mtp"), resumed.Stdout);
    }

    [Fact]
    public void ACoreIsKeptInTheModelFileAndChangesNothingOnTheTrainingData()
    {
        var data = TeacherData();
        var dir = TestData.TempDir();
        var fit = CliRun.Of("fit-mtp", "-d", data, "--level", "6", "--cutoff", "4.6", "--radial-basis-size", "4", "--iterations", "2", "--core", "zbl", "-o", dir);
        Assert.True(fit.ExitCode == 0, fit.Stderr);
        Assert.Contains("short-range core: ZBL below each pair's shortest training distance", fit.Stdout);
        Assert.Contains("without the core", fit.Stdout);
        var model = Assert.IsType<MtpModel>(PoetSharp.Models.ModelFile.ReadAny(Path.Combine(dir, "model.json")));
        var core = Assert.IsType<MtpCore>(model.Core);
        var structures = DataFiles.Read(data).Structures;
        var shortest = MtpCore.ShortestDistances(structures, model.Elements, model.Cutoff);
        for (var k = 0; k < shortest.Length; k++) Assert.True(core.Inner[k] <= shortest[k], $"pair {k}: inner radius {core.Inner[k]} beyond the shortest distance {shortest[k]}");
        var bare = MtpFile.Read(Path.Combine(dir, "model.mtp"), model.Elements);
        Assert.Null(bare.Core);
        foreach (var s in structures)
            Assert.Equal(new MtpPotential(bare, threads: 1).Compute(s).Forces.ToArray(), new MtpPotential(model, threads: 1).Compute(s).Forces.ToArray());
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "fit.json"))))
            Assert.Equal("zbl", json.RootElement.GetProperty("settings").GetProperty("core").GetString());
        // A resumed run keeps it; without --core (none) fit-mtp trains the bare MTP.
        var resumed = CliRun.Of("fit-mtp", "--resume", dir, "--iterations", "1");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.NotNull(Assert.IsType<MtpModel>(PoetSharp.Models.ModelFile.ReadAny(Path.Combine(dir, "model.json"))).Core);
        var none = TestData.TempDir();
        var plain = CliRun.Of("fit-mtp", "-d", data, "--level", "6", "--cutoff", "4.6", "--radial-basis-size", "4", "--iterations", "1", "-o", none);
        Assert.True(plain.ExitCode == 0, plain.Stderr);
        Assert.DoesNotContain("short-range core", plain.Stdout);
        Assert.DoesNotContain("\"core\"", File.ReadAllText(Path.Combine(none, "model.json")));
    }

    [Fact]
    public void AnMtpFileWithoutTypeMapIsOneClearError()
    {
        var run = CliRun.Of("eval", "--potential", TestData.Shared("mlearn", "Cu_mtp.mtp"), "-d", TestData.Repo("poet", "EAM_Cu", "NVT_FCC_300K"));
        run.AssertOneLineError(1);
        Assert.Contains("--type-map", run.Stderr);
    }

    [Fact]
    public void PublishedCopperMtpEvaluatesThroughTheCommandLine()
    {
        var run = CliRun.Of("--type-map", "Cu", "eval", "--potential", TestData.Shared("mlearn", "Cu_mtp.mtp"), "-d", TestData.Repo("poet", "EAM_Cu", "NVT_FCC_300K"), "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
    }

    [Fact]
    public void BadSettingsAreOneClearError()
    {
        CliRun.Of("fit-mtp", "-d", TeacherData(), "--weights", "1,x,0").AssertOneLineError(1);
        CliRun.Of("fit-mtp", "-d", TeacherData(), "--level", "1").AssertOneLineError(1);
        CliRun.Of("fit-mtp", "--resume", TestData.TempDir()).AssertOneLineError(1);
        CliRun.Of("fit-mtp", "-d", TeacherData(), "--time", "soon").AssertOneLineError(1);
    }

    [Fact]
    public void TimeLimitStopsTrainingBetweenIterationsAndKeepsTheBestModel()
    {
        var dir = TestData.TempDir();
        var run = CliRun.Of("fit-mtp", "-d", TeacherData(), "--level", "8", "--cutoff", "4.6", "--radial-basis-size", "6", "--iterations", "100000",
            "--time", "3s", "-o", dir);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("(the time limit)", run.Stdout);
        Assert.True(File.Exists(Path.Combine(dir, "model.mtp")));
    }
}
