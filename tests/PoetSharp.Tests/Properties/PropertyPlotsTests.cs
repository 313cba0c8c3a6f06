using PoetSharp.Potentials;
using PoetSharp.Properties;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Properties;

public class PropertyPlotsTests
{
    [Fact]
    public void WritesEquationOfStateAndDispersionAsPngAndSvg()
    {
        var sc = PotentialFactory.Create("sc");
        var eos = EquationOfState.Compute(sc, "Cu");
        var phonons = Phonons.Fcc(sc, "Cu", supercell: 4, points: 60);
        var folder = TestData.TempDir();
        foreach (var extension in new[] { ".png", ".svg" })
        {
            var eosPath = Path.Combine(folder, "plots", "eos" + extension);
            var dispersionPath = Path.Combine(folder, "plots", "phonons" + extension);
            PropertyPlots.WriteEquationOfState(eos, eosPath, "Sutton–Chen fcc Cu");
            PropertyPlots.WritePhononDispersion(phonons.Dispersion, dispersionPath);
            foreach (var path in new[] { eosPath, dispersionPath })
            {
                var bytes = File.ReadAllBytes(path);
                Assert.True(bytes.Length > 1000, $"{path} is only {bytes.Length} bytes");
                if (extension == ".png") Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
                else Assert.Contains("<svg", File.ReadAllText(path));
            }
        }
        Assert.Throws<ArgumentException>(() => PropertyPlots.WriteEquationOfState(eos, Path.Combine(folder, "eos.gif")));
    }
}
