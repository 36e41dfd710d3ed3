import pandas as pd

from verbatim.journey import load_taxonomy, rollup_touchpoints


def test_main_touchpoint_weighs_confidence_and_lists_all_in_journey_order() -> None:
    links = pd.DataFrame({
        "verbatim_id": ["v1", "v1", "v1", "v2", "v3"],
        "touchpoint": ["service_client", "livraison", "livraison", "non_rattache", "paiement"],
        "touchpoints": ["service_client", "livraison|service_client", "livraison", "", "paiement"],
        "touchpoint_confidence": [0.9, 0.6, 0.5, 0.2, 0.7],
    })
    tax = load_taxonomy("ecommerce")
    out = rollup_touchpoints(links, tax).set_index("verbatim_id")
    assert out.loc["v1", "touchpoint"] == "livraison"  # 0.6 + 0.5 > 0.9
    assert out.loc["v1", "touchpoints"].split("|") == sorted(["livraison", "service_client"], key=tax.ids.index)
    assert out.loc["v2", "touchpoint"] == "" and out.loc["v2", "touchpoints"] == ""
    assert out.loc["v3", "touchpoints"] == "paiement"
