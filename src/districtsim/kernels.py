"""Compiled loops over the resident arrays: each fuses one phase's per-resident passes into one.

The phases' rules are written as numpy expressions in their modules (and, one resident at
a time, in :mod:`districtsim.reference`); at full scale (about 700,000 places) each such
expression is a pass over memory, and a month made about a hundred of them. A kernel here
does the same arithmetic for one place at a time in a single pass, compiled with numba.

Each kernel reproduces the numpy expression it replaces operation by operation, in the same
floating-point types and order (float32 where the arrays are float32; a Python float that
numpy would cast to float32 is passed as ``np.float32``), so the results are bit-identical
to the numpy form: ``tests/test_kernels.py`` checks each kernel against it on a stepped
model's state. The kernels use no transcendental function whose numba form differs from numpy's:
only the logistic function (``1 / (1 + exp(-z))`` in float32, which is what
``scipy.special.expit`` computes). They take no random draws (the phases draw from their
named streams and hand the draws in) and allocate only their outputs.

Compiled code is cached on disk (numba's ``cache=True``) next to this module or, where that
is not writable, in numba's user cache directory, so only the first run on a machine pays
the compilation (a few seconds).
"""

from __future__ import annotations

import math

import numba
import numpy as np

_JIT = {"cache": True, "nogil": True, "error_model": "numpy", "boundscheck": False}

F1 = np.float32(1.0)
F0 = np.float32(0.0)


def code_dtype(k: int) -> np.dtype:
    """Return the integer type of :func:`reach`'s tie code buffer for ``k`` ties per place."""
    return np.min_scalar_type(k * ((1 << k.bit_length()) + 1))


@numba.njit(**_JIT)
def reach(
    partners: np.ndarray,
    k: int,
    was_active: np.ndarray,
    occupied: np.ndarray,
    table_index: np.ndarray,
    table: np.ndarray,
    u: np.ndarray,
    code: np.ndarray,
    n_active: np.ndarray,
    n_occupied: np.ndarray,
    is_reached: np.ndarray,
) -> None:
    """Count each place's active and occupied ties and decide who is reached (phase 3).

    ``partners`` holds ``k`` tie targets per place (the CSR indices of the tie matrix);
    ``table[table_index[i] + n_active[i]]`` is place ``i``'s reach probability; place ``i``
    is reached when occupied and ``u[i]`` is below it. Writes ``n_active``, ``n_occupied``
    and ``is_reached``.

    Each place first gets the code ``occupied + 2**bits * was_active`` in the buffer
    ``code`` (``2**bits > k``, so the occupied count never carries into the active count;
    the buffer's integer type must hold ``k * (2**bits + 1)``, see :func:`code_dtype`), so
    one read per tie gives both counts (the gathers over the ties are most of the cost).
    """
    n = occupied.shape[0]
    bits = 1
    while (1 << bits) <= k:
        bits += 1
    mask = (1 << bits) - 1
    for i in range(n):
        code[i] = (was_active[i] << bits) | occupied[i]
    for i in range(n):
        c = 0
        base = i * k
        for j in range(k):
            c += code[partners[base + j]]
        na = c >> bits
        n_active[i] = na
        n_occupied[i] = c & mask
        is_reached[i] = occupied[i] and u[i] < table[table_index[i] + na]


@numba.njit(**_JIT)
def mobilise(
    is_reached: np.ndarray,
    district: np.ndarray,
    identity: np.ndarray,
    event_orientation: np.ndarray,
    event_now: np.ndarray,
    engagement: np.ndarray,
    months: np.ndarray,
    orientation: np.ndarray,
    theta: np.ndarray,
    n_active: np.ndarray,
    n_occupied: np.ndarray,
    u: np.ndarray,
    coef: np.ndarray,
    is_active: np.ndarray,
) -> None:
    """Apply the threshold rule to the reached residents (phase 4); write ``is_active``.

    ``coef`` (float32) holds ``a_identity, a_engagement, a_tenure, attachment_months,
    b_social, b_event, tau``; ``identity`` and ``event_orientation`` (float32, NaN replaced)
    are per district.
    """
    a_i, a_e, a_t, t_att, b_s, b_ev, tau = (
        coef[0],
        coef[1],
        coef[2],
        coef[3],
        coef[4],
        coef[5],
        coef[6],
    )
    for i in range(is_reached.shape[0]):
        if not is_reached[i]:
            is_active[i] = False
            continue
        d = district[i]
        attach = min(np.float32(months[i]) / t_att, F1)
        motiv = a_i * identity[d] + a_e * engagement[i] + a_t * attach
        pull = F1 - abs(orientation[i] - event_orientation[d]) if event_now[d] else F0
        share = np.float32(n_active[i]) / np.float32(max(n_occupied[i], 1))
        z = (motiv + b_s * share + b_ev * pull - theta[i]) / tau
        p = F1 / (F1 + math.exp(-z))
        is_active[i] = u[i] < p


@numba.njit(**_JIT)
def membership(
    u: np.ndarray,
    member_of: np.ndarray,
    is_active: np.ndarray,
    is_reached: np.ndarray,
    engagement: np.ndarray,
    occupied: np.ndarray,
    p_join: np.float32,
    p_join_reached: np.float32,
    p_exit: np.float32,
) -> np.ndarray:
    """Members leave, active non-members are chosen to join (phase 5); return the joiners.

    A member leaves (``member_of = -1``) when ``u < p_exit``, and every place without an
    occupant loses its membership; a non-member joins when ``u`` is below
    ``p_join`` (if active) plus ``p_join_reached * engagement`` (if reached and
    ``p_join_reached`` is not 0). Returns the joining places in ascending order (their
    association is chosen by the caller).
    """
    n = u.shape[0]
    join = np.empty(n, dtype=np.int64)
    n_join = 0
    for i in range(n):
        if member_of[i] >= 0:
            if u[i] < p_exit or not occupied[i]:
                member_of[i] = -1
            continue
        p = p_join if is_active[i] else F0
        if p_join_reached != F0:
            p = p + (p_join_reached * engagement[i] if is_reached[i] else F0)
        if u[i] < p:
            join[n_join] = i
            n_join += 1
    return join[:n_join]


@numba.njit(**_JIT)
def association_counts(
    member_of: np.ndarray,
    district: np.ndarray,
    n_slots: int,
    n_keys: int,
    engagement: np.ndarray,
    is_active: np.ndarray,
    orientation: np.ndarray,
    cut: np.float32,
    width: np.float32,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return members, expected volunteers, active members and their orientation sum per key.

    The key of a member is ``district * n_slots + member_of`` (an association). Volunteers
    are the members' volunteer chances, ``expit((engagement - cut) / width)`` in float32
    (``engagement >= cut`` at ``width`` 0), summed in float64 in place order, as
    ``np.bincount`` with weights sums them.
    """
    members = np.zeros(n_keys)
    volunteers = np.zeros(n_keys)
    n_active = np.zeros(n_keys)
    orient = np.zeros(n_keys)
    sharp = width == F0
    for i in range(member_of.shape[0]):
        slot = member_of[i]
        if slot < 0:
            continue
        key = np.int64(district[i]) * n_slots + slot
        members[key] += 1.0
        e = engagement[i]
        if sharp:
            volunteers[key] += 1.0 if e >= cut else 0.0
        else:
            volunteers[key] += np.float64(F1 / (F1 + math.exp(-((e - cut) / width))))
        if is_active[i]:
            n_active[key] += 1.0
            orient[key] += np.float64(orientation[i])
    return members, volunteers, n_active, orient


@numba.njit(**_JIT)
def move_candidates(
    occupied: np.ndarray,
    district: np.ndarray,
    tenure: np.ndarray,
    income: np.ndarray,
    months: np.ndarray,
    price_ref: np.ndarray,
    pass_through: np.ndarray,
    discount: np.ndarray,
    price: np.ndarray,
    place_price: np.ndarray,
    bound: np.ndarray,
    u: np.ndarray,
    income_growth: np.float32,
    cost_factor: np.float32,
    burden_cap: np.float32,
    alpha_burden: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Grow incomes and stays, then find who may move this month (phase 10a).

    First every place's income grows by ``income_growth`` and an occupant's months in the
    district by one (:func:`districtsim.migration.grow_incomes_and_attachment`). Then the
    housing burden above the cap (:func:`districtsim.migration.burden_excess`), with the
    tenure terms ``pass_through[tenure]`` and ``discount[tenure]`` (float32 tables of the
    three tenures): the cost follows ``price[district]`` or, where ``place_price`` has an
    entry per place, that. A resident is a candidate mover when the uniform draw is below
    the hazard bound of their tenure and district (``bound``, shape (tenures, districts))
    times ``exp(alpha_burden * excess)``, the burden's factor on the hazard (computed in
    float64 with a relative margin of 1e-4, far above the difference between this ``exp``
    and numpy's, so no resident whose exact hazard could make them move is left out).
    Returns the candidates (ascending) and their burden excess.
    """
    n = occupied.shape[0]
    per_place = place_price.shape[0] == n
    cand = np.empty(n, dtype=np.int64)
    excess_c = np.empty(n, dtype=np.float32)
    n_cand = 0
    for i in range(n):
        y = income[i] * income_growth
        income[i] = y
        if not occupied[i]:
            continue
        months[i] += 1
        d = district[i]
        t = tenure[i]
        p_now = place_price[i] if per_place else price[d]
        ref = price_ref[i]
        cost = (p_now - ref) * pass_through[t] + ref
        cost = cost * cost_factor * discount[t]
        cost = cost / max(y, F1)
        excess = max(cost - burden_cap, F0)
        limit = np.float64(bound[t, d])
        draw = np.float64(u[i])
        if draw >= limit and excess > F0:
            x = alpha_burden * np.float64(excess)
            # exp(x) <= 1 / (1 - x) for x < 1: most residents are ruled out without the exp.
            if x < 1.0 and draw * (1.0 - x) >= limit * 1.0001:
                continue
            limit *= math.exp(x) * 1.0001
        if draw < limit:
            cand[n_cand] = i
            excess_c[n_cand] = excess
            n_cand += 1
    return cand[:n_cand], excess_c[:n_cand]


@numba.njit(**_JIT)
def block_int_sums(values: np.ndarray, where: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Return the int64 sum of integer ``values`` where ``where`` in each block of places.

    Blocks are the districts' contiguous slices ``start[d]:start[d + 1]``. Integer sums are
    exact in any order, so their float64 values equal those of the float64 block sums
    (:meth:`districtsim.residents.Blocks.sum`) while below 2**53.
    """
    out = np.zeros(start.shape[0] - 1, dtype=np.int64)
    for d in range(start.shape[0] - 1):
        s = 0
        for i in range(start[d], start[d + 1]):
            if where[i]:
                s += values[i]
        out[d] = s
    return out


@numba.njit(**_JIT)
def block_counts(mask: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Return the number of True places of ``mask`` in each block (float64, as counts).

    Blocks are the districts' contiguous slices ``start[d]:start[d + 1]``.
    """
    out = np.zeros(start.shape[0] - 1)
    for d in range(start.shape[0] - 1):
        c = 0
        for i in range(start[d], start[d + 1]):
            c += mask[i]
        out[d] = c
    return out
