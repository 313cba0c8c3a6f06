using PoetSharp.Evaluation;
using PoetSharp.Fitting;
using PoetSharp.Potentials;
using PoetSharp.Tests.Evaluation;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Fitting;

public class ObjectiveParityPlotTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public void Parity_plots_are_written_as_png()
    {
        var data = new PoetSharp.Data.Dataset(ObjectiveTests.Training.Value.Structures.Take(10));
        var gp1 = ModelEvaluatorTests.Gp1();
        var errors = PotentialErrors.Evaluate(new ModelPotential(gp1, Taper.Copper, name: "GP1"), data);
        var folder = TestData.TempDir();
        var energy = Path.Combine(folder, "plots", "energy.png");
        var forces = Path.Combine(folder, "plots", "forces.png");
        ParityPlot.WriteEnergies(errors, energy);
        ParityPlot.WriteForces(errors, forces, 800, 500);
        foreach (var file in new[] { energy, forces })
        {
            var bytes = File.ReadAllBytes(file);
            Assert.True(bytes.Length > 1000);
            Assert.Equal(PngSignature, bytes[..8]);
            Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        }
        // Width and height from the IHDR chunk (big-endian).
        var header = File.ReadAllBytes(forces);
        Assert.Equal(800, (header[16] << 24) | (header[17] << 16) | (header[18] << 8) | header[19]);
        Assert.Equal(500, (header[20] << 24) | (header[21] << 16) | (header[22] << 8) | header[23]);
    }
}
