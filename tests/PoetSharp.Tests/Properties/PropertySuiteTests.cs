using PoetSharp.Potentials;
using PoetSharp.Properties;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Properties;

public class PropertySuiteTests
{
    [Fact]
    public void ResultsDoNotDependOnTheParallelSchedule()
    {
        var sc = PotentialFactory.Create("sc");
        var only = new[] { "vacancy", "surfaces", "stacking", "phonons" };
        var serial = PropertySuite.Run(sc, new PropertySuiteOptions { Only = only, MaxParallelism = 1, StackingCurvePoints = 5 });
        var parallel = PropertySuite.Run(sc, new PropertySuiteOptions { Only = only, MaxParallelism = 4, StackingCurvePoints = 5 });

        Assert.Equal(serial.Properties.Select(p => (p.Name, p.Structure)), parallel.Properties.Select(p => (p.Name, p.Structure)));
        Assert.Equal(serial.Properties.Select(p => p.Value), parallel.Properties.Select(p => p.Value));
        Assert.Equal(serial.StackingFaultCurve!.Energies, parallel.StackingFaultCurve!.Energies);
        Assert.All(serial.Properties, p => Assert.Equal(PropertyStatus.Ok, p.Status));
        // The curve's last point is the intrinsic fault.
        Assert.Equal(serial.Find("gamma_isf", "FCC")!.Value!.Value, serial.StackingFaultCurve.Energies[^1], 6);
        Assert.Equal(13, serial.Properties.Count(p => p.Group == "surfaces"));
    }

    [Fact]
    public void AnUnconvergedRelaxationIsNotOk()
    {
        var p = SuiteProperty.FromRelaxed("vacancy", "FCC", new RelaxedProperty("Ev_f", 1.2, "eV", false, "not converged after 3 steps"));
        Assert.Equal(PropertyStatus.NotConverged, p.Status);
        Assert.Contains("not converged after 3 steps", p.Reason);
        var nan = SuiteProperty.FromRelaxed("vacancy", "FCC", new RelaxedProperty("Ev_f", double.NaN, "eV", true, ""));
        Assert.Equal(PropertyStatus.Failed, nan.Status);
        Assert.Null(nan.Value);
        // No error is computed against a reference for a property that is not ok.
        var row = PropertyComparison.Of(p, new TargetProperty("Ev_f", "FCC", 1.07, "eV", 10));
        Assert.Null(row.AbsoluteError);
    }

    [Fact]
    public void ReferenceUnitsAreMatchedDespiteTheirSpelling()
    {
        var computed = new SuiteProperty("surfaces", "Esurf_100", "FCC", 90.0, "meV/Å²", PropertyStatus.Ok, "");
        var row = PropertyComparison.Of(computed, new TargetProperty("Esurf_100", "FCC", 100.0, "meV/(Å^2)", 12));
        Assert.Equal(-10.0, row.AbsoluteError!.Value, 12);
        Assert.Equal(-0.1, row.RelativeError!.Value, 12);
        var other = PropertyComparison.Of(computed, new TargetProperty("Esurf_100", "FCC", 1.4, "J/m^2", 12));
        Assert.Null(other.AbsoluteError);
        Assert.Contains("differs", other.Note);
    }

    [Fact]
    public void UnknownGroupsAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => PropertySuite.ResolveGroups(["phonon"]));
        Assert.Contains("'phonon'", e.Message);
        Assert.Equal(PropertySuite.Groups, PropertySuite.ResolveGroups(null));
    }
}
