using PoetSharp.Atoms;
using PoetSharp.Potentials;
using PoetSharp.Properties;
using PoetSharp.Tests.Support;
using Xunit.Abstractions;

namespace PoetSharp.Tests.Properties;

/// <summary>
/// The physical sanity checks: each fails on a model built to fail it (and only that model's flaw fails), real potentials
/// pass every check, and the cheap default set-ups decide every check as the converged ones do.
/// </summary>
public class PhysicalSanityTests(ITestOutputHelper output)
{
    private static readonly Taper PoetTaper = new(3, 5);

    private const string Gp1 = "sum(r^(10.21-5.47*r) - 0.21^r) + 0.97*sum(0.33^r)^-1";

    /// <summary>The 17-node model of issue 12's 30-minute DFT_Cu run: hcp 0.6 meV/atom below fcc, γ_isf ≈ −3.3 mJ/m².</summary>
    private const string SeventeenNode = "905.05*sum(0.03308^r) - 5.2676*sum((0.6690^r)^r)^0.5636";

    /// <summary>
    /// A Morse pair (depth D = 1.14 eV, α = 2 Å⁻¹, r0 = 2.396 Å: D e^{2α r0} e^{−2α r} − 2 D e^{α r0} e^{−α r}) and a
    /// many-body repulsion 0.5 (Σ e^{−r/2})², quadratic in the coordination. With nearest neighbours only, removing an
    /// atom costs its Z Morse bonds, −Z φ(d) ≈ Z D, but relieves each of its Z neighbours of the repulsion
    /// A[ρ̄² − (ρ̄ − ρ1)²] = A ρ1² (2Z − 1): per neighbour the relief grows with Z, so with A ρ1² between 12/276 and 1/12 of
    /// D (the upper bound keeps the crystal bound) the vacancy lowers the energy. The model favours under-coordination
    /// in just this way and is otherwise ordinary: bound fcc, hcp and bcc above it, stiff in shear, a positive
    /// stacking-fault energy.
    /// </summary>
    private const string UnderCoordinated = "0.5*sum(0.6065^r)^2 + sum(16565*0.0183^r - 274.7*0.1353^r)";

    private static readonly string[] FccChecks =
    [
        PhysicalSanity.CohesiveEnergyCheck, PhysicalSanity.GroundStateCheck, PhysicalSanity.BornStabilityCheck,
        PhysicalSanity.VacancyFormationCheck, PhysicalSanity.StackingFaultCheck,
    ];

    private static ModelPotential Model(string expression) => PotentialFactory.CreateExpressionModel(expression, PoetTaper);

    private static IPotential Lammps(string file) => PotentialFactory.Create(Support.Lammps.Potential(file));

    private SanityReport Check(IPotential potential, string element, CrystalStructure groundState, SanitySettings? settings = null)
    {
        var report = PhysicalSanity.Check(potential, element, groundState, settings);
        output.WriteLine($"{potential.Name}, {element} {groundState}:");
        foreach (var c in report.Checks) output.WriteLine($"  {c.Name}: {(c.Passed ? "pass" : "FAIL")} {c.Value:G6} | {c.Detail}");
        return report;
    }

    private static SanityCheckResult Find(SanityReport report, string name) => Assert.Single(report.Checks, c => c.Name == name);

    /// <summary>Asserts that exactly the named checks failed.</summary>
    private static void FailsExactly(SanityReport report, params string[] failing)
    {
        Assert.Equal(failing.Order(), report.Checks.Where(c => !c.Passed).Select(c => c.Name).Order());
        Assert.False(report.Passed);
        foreach (var name in failing) Assert.Contains(name, report.Summary);
    }

    [Fact]
    public void Gp1HasNoCohesiveEnergy()
    {
        var report = Check(Model(Gp1), "Cu", CrystalStructure.Fcc);
        Assert.Equal(FccChecks, report.Checks.Select(c => c.Name));
        // 1/sum of nothing: the isolated atom's energy is infinite. The rest of GP1 is sound copper.
        FailsExactly(report, PhysicalSanity.CohesiveEnergyCheck);
        var cohesive = Find(report, PhysicalSanity.CohesiveEnergyCheck);
        Assert.Null(cohesive.Value);
        Assert.Contains("Infinity", cohesive.Detail);
    }

    [Fact]
    public void SeventeenNodeModelPutsHcpBelowFccAndHasANegativeStackingFault()
    {
        var report = Check(Model(SeventeenNode), "Cu", CrystalStructure.Fcc);
        FailsExactly(report, PhysicalSanity.GroundStateCheck, PhysicalSanity.StackingFaultCheck);
        var ground = Find(report, PhysicalSanity.GroundStateCheck);
        Assert.InRange(ground.Value!.Value, -0.7, -0.5); // hcp − fcc in meV/atom (issue 12: 0.6 below)
        Assert.Contains("hcp -0.598", ground.Detail);
        Assert.InRange(Find(report, PhysicalSanity.StackingFaultCheck).Value!.Value, -3.5, -3.2); // mJ/m² (issue 12: −3.3)
    }

    /// <summary>
    /// Lennard-Jones bcc is mechanically unstable at zero pressure: its tetragonal shear modulus C11 − C12 is negative
    /// (the Bain path to fcc runs downhill), while the same potential's fcc is stable.
    /// </summary>
    [Fact]
    public void LennardJonesBccFailsTheBornCriteria()
    {
        var lj = PotentialFactory.Create("lj");
        var bcc = Check(lj, "Ar", CrystalStructure.Bcc);
        var born = Find(bcc, PhysicalSanity.BornStabilityCheck);
        Assert.False(born.Passed);
        Assert.True(born.Value < -0.1, born.Detail);
        Assert.Contains("C11 − C12 = -0.5", born.Detail);
        Assert.DoesNotContain(bcc.Checks, c => c.Name == PhysicalSanity.StackingFaultCheck);

        var fcc = Check(lj, "Ar", CrystalStructure.Fcc);
        Assert.True(Find(fcc, PhysicalSanity.BornStabilityCheck).Passed);
        Assert.True(fcc.Passed, fcc.Summary);
    }

    [Fact]
    public void ModelFavouringUnderCoordinationHasANegativeVacancyFormationEnergy()
    {
        var model = Model(UnderCoordinated);
        var report = Check(model, "Cu", CrystalStructure.Fcc);
        FailsExactly(report, PhysicalSanity.VacancyFormationCheck);
        var vacancy = Find(report, PhysicalSanity.VacancyFormationCheck);
        Assert.True(vacancy.Value < -1, vacancy.Detail);
        Assert.Contains("not positive", vacancy.Detail);

        // The explanation holds before any relaxation: removing an atom from the perfect crystal lowers the energy.
        var a = Bulk.CubicLatticeConstant(model, "Cu", CubicLattice.Fcc).A;
        var perfect = Lattices.Fcc("Cu", a, 3, 3, 3);
        var unrelaxed = model.Energy(DefectBuilders.RemoveAtom(perfect, 0)) - (perfect.Count - 1.0) / perfect.Count * model.Energy(perfect);
        output.WriteLine($"unrelaxed vacancy formation energy {unrelaxed:F4} eV");
        Assert.True(unrelaxed < 0);
    }

    /// <summary>A purely repulsive model has no crystal: every check fails as not computable, with the reason.</summary>
    [Fact]
    public void ChecksThatCannotBeComputedFailWithTheReason()
    {
        var report = Check(Model("sum(10*r^-6)"), "Cu", CrystalStructure.Fcc);
        Assert.Equal(FccChecks, report.Checks.Select(c => c.Name));
        Assert.All(report.Checks, c =>
        {
            Assert.False(c.Passed);
            Assert.Null(c.Value);
            Assert.Contains("could not be computed", c.Detail);
            Assert.Contains("no energy minimum", c.Detail);
        });
    }

    /// <summary>
    /// With nearest neighbours only (taper 2.6–3.0 Å; the pair minimum, and so the nearest neighbours, at 2.245 Å, the second shell at 3.17 Å), fcc and hcp are the same stacking of
    /// the same bonds: degenerate to rounding, which is no ground state, and γ_isf = 0, which is no stacking-fault energy.
    /// (bcc, whose second shell at 1.15 times the first is within reach, happens to lie lower as well.)
    /// </summary>
    [Fact]
    public void DegenerateStackingsFailRatherThanPassOnRounding()
    {
        var nearestOnly = PotentialFactory.CreateExpressionModel("sum(4096*r^-12 - 64*r^-6)", new Taper(2.6, 3.0));
        var report = Check(nearestOnly, "Cu", CrystalStructure.Fcc);
        FailsExactly(report, PhysicalSanity.GroundStateCheck, PhysicalSanity.StackingFaultCheck);
        Assert.True(Math.Abs(Find(report, PhysicalSanity.StackingFaultCheck).Value!.Value) < 1e-2);
        var ground = Find(report, PhysicalSanity.GroundStateCheck);
        Assert.Contains("hcp not above fcc", ground.Detail);
        // hcp − fcc is zero to rounding (bcc, with its second shell within reach, happens to lie lower too), printed with one sign.
        Assert.Matches(@"hcp [+-]0\.000 ", ground.Detail);
    }

    [Fact]
    public void StopAtFirstFailureReportsOnlyUpToIt()
    {
        var report = Check(Model(Gp1), "Cu", CrystalStructure.Fcc, new SanitySettings { StopAtFirstFailure = true });
        Assert.Equal([PhysicalSanity.CohesiveEnergyCheck], report.Checks.Select(c => c.Name));
        Assert.False(report.Passed);
    }

    [Fact]
    public void CallerErrorsThrow()
    {
        Assert.Throws<ArgumentException>(() => PhysicalSanity.Check(Model(Gp1), "Xx", CrystalStructure.Fcc));
        Assert.Throws<ArgumentException>(() => PhysicalSanity.Check(PotentialFactory.Create("sc"), "Ni", CrystalStructure.Fcc));
        Assert.Throws<ArgumentException>(() => PhysicalSanity.Check(Model(Gp1), "Cu", CrystalStructure.Fcc, new SanitySettings { StackingFaultRepeats = 0 }));
    }

    [Fact]
    public void SuttonChenPassesEveryCheck()
    {
        var report = Check(PotentialFactory.Create("sc"), "Cu", CrystalStructure.Fcc);
        Assert.Equal(FccChecks, report.Checks.Select(c => c.Name));
        Assert.True(report.Passed, report.Summary);
        Assert.Equal("ok", report.Summary);
    }

    [NeedsFact(External.Lammps)]
    public void MishinCopperPassesEveryCheck()
    {
        var report = Check(Lammps("Cu_mishin1.eam.alloy"), "Cu", CrystalStructure.Fcc);
        Assert.Equal(FccChecks, report.Checks.Select(c => c.Name));
        Assert.True(report.Passed, report.Summary);
        // Mishin's fit targets: hcp − fcc ≈ 7.8 meV/atom, E_v ≈ 1.27 eV, γ_isf ≈ 44.4 mJ/m².
        Assert.InRange(Find(report, PhysicalSanity.GroundStateCheck).Value!.Value, 7.5, 8.1);
    }

    /// <summary>bcc and hcp ground states: Mendelev's Fe (bcc) and Mg (hcp, ions relaxed in the elastic constants) pass.</summary>
    [NeedsTheory(External.Lammps)]
    [InlineData("Fe_mm.eam.fs", "Fe", CrystalStructure.Bcc)]
    [InlineData("Mg_mm.eam.fs", "Mg", CrystalStructure.Hcp)]
    public void BccAndHcpMetalsPassEveryCheck(string file, string element, CrystalStructure groundState)
    {
        var report = Check(Lammps(file), element, groundState);
        Assert.Equal(FccChecks.Take(4), report.Checks.Select(c => c.Name));
        Assert.True(report.Passed, report.Summary);
    }

    public static TheoryData<string> CheapPotentials => new() { "sc", Gp1, SeventeenNode, UnderCoordinated };

    /// <summary>
    /// The default set-ups (coarse lattice searches, 2×2×2 vacancy cell, 4 stacking-fault repeats, loose relaxations)
    /// decide every check as the converged ones (the property suite's) do, with values close to theirs.
    /// </summary>
    [Theory]
    [MemberData(nameof(CheapPotentials))]
    public void DefaultSetUpsAgreeWithConvergedOnes(string spec) =>
        // The under-coordinated model is strongly many-body and its defects relax far, so their finite-size errors are
        // larger: vacancy −3.64 eV in 2×2×2 against −3.77 eV in 4×4×4, γ_isf 236.5 mJ/m² with 4 repeats against 227.0 with 16.
        AssertAgree(spec == "sc" ? PotentialFactory.Create("sc") : Model(spec), "Cu", CrystalStructure.Fcc, spec == UnderCoordinated ? 0.05 : 0);

    [NeedsTheory(External.Lammps)]
    [InlineData("Cu_mishin1.eam.alloy", "Cu", CrystalStructure.Fcc)]
    [InlineData("Fe_mm.eam.fs", "Fe", CrystalStructure.Bcc)]
    [InlineData("Mg_mm.eam.fs", "Mg", CrystalStructure.Hcp)]
    public void DefaultSetUpsAgreeWithConvergedOnesOnEam(string file, string element, CrystalStructure groundState) =>
        AssertAgree(Lammps(file), element, groundState);

    private void AssertAgree(IPotential potential, string element, CrystalStructure groundState, double relative = 0)
    {
        var cheap = Check(potential, element, groundState);
        var converged = Check(potential, element, groundState, SanitySettings.Converged);
        Assert.Equal(converged.Checks.Select(c => (c.Name, c.Passed)), cheap.Checks.Select(c => (c.Name, c.Passed)));
        // How close each value is (unit): the phase energies (meV/atom) to the lattice searches' precision; C's
        // smallest eigenvalue (GPa) to that too (same strain); the vacancy (eV) and the stacking fault (mJ/m²) to their
        // finite-size errors, a few hundredths, plus the fraction <paramref name="relative"/> of the value.
        double Tolerance(string check, double value) => check switch
        {
            PhysicalSanity.CohesiveEnergyCheck => 1e-8,
            PhysicalSanity.GroundStateCheck => 1e-4,
            PhysicalSanity.BornStabilityCheck => 0.05,
            PhysicalSanity.VacancyFormationCheck => 0.03 + relative * Math.Abs(value),
            _ => 0.1 + relative * Math.Abs(value),
        };
        foreach (var (c, r) in cheap.Checks.Zip(converged.Checks))
        {
            if (c.Value is null || r.Value is null)
            {
                Assert.Equal(r.Value is null, c.Value is null);
                continue;
            }
            Assert.True(Math.Abs(c.Value.Value - r.Value.Value) <= Tolerance(c.Name, r.Value.Value),
                $"{c.Name}: {c.Value} with the default set-ups, {r.Value} converged");
        }
    }

    /// <summary>
    /// The one-step internal relaxation gives hcp's relaxed-ion elastic constants as a full FIRE relaxation of every
    /// strained cell does, and the relaxation matters (C11, C12 and C66 move by several GPa without it).
    /// </summary>
    [Fact]
    public void LinearInternalRelaxationMatchesFullRelaxation()
    {
        var sc = PotentialFactory.Create("sc");
        var hcp = Bulk.HcpLatticeConstants(sc, "Cu").Cell();
        var linear = Elastic.Compute(sc, hcp, 1e-4, Elastic.LinearInternalRelaxation(sc, hcp));
        var fire = Elastic.Compute(sc, hcp, 1e-4, TestRelaxer.Fire(sc, forceTolerance: 1e-10));
        var clamped = Elastic.Compute(sc, hcp, 1e-4);
        var largestShift = 0.0;
        for (var i = 1; i <= 6; i++)
            for (var j = 1; j <= 6; j++)
            {
                Assert.Equal(fire[i, j], linear[i, j], 0.02);
                largestShift = Math.Max(largestShift, Math.Abs(clamped[i, j] - linear[i, j]));
            }
        output.WriteLine($"largest change of a C_ij by the internal relaxation {largestShift:F2} GPa");
        Assert.True(largestShift > 1);
    }

    /// <summary>Ions pushed off a symmetric site that is an energy maximum: the internal relaxation refuses, and Born fails with that reason.</summary>
    [Fact]
    public void InternalInstabilityIsReported()
    {
        // Simple hexagonal stacking (AA) of close-packed planes is an internal saddle of hcp-like two-atom cells:
        // shifting one plane along a lowers the energy.
        var sc = PotentialFactory.Create("sc");
        var a = Bulk.CubicLatticeConstant(sc, "Cu", CubicLattice.Fcc).A / Math.Sqrt(2);
        var hcp = Lattices.Hcp("Cu", a);
        var stacked = hcp.Clone();
        stacked.Positions[1] = new Vec3(hcp.Positions[0].X, hcp.Positions[0].Y, hcp.Positions[1].Z);
        var e = Assert.Throws<InvalidOperationException>(() => Elastic.LinearInternalRelaxation(sc, stacked));
        Assert.Contains("not at an internal minimum", e.Message);
        Elastic.LinearInternalRelaxation(sc, hcp); // the real hcp is at a minimum
    }
}
