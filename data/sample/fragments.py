"""Words and sentence templates of the Maison Lumiere sample (used by ``generate.py``).

All names, addresses, phone numbers, IBAN and card numbers are fictional. Templates are written
for this sample (no text is copied from real reviews). Slots filled by ``Gen.slots``: {order} {n}
{since} {carrier} {adviser} {amount} {city} {relay} {points} {code} {pct}, and for a product {product}
(bare name), {le_p} {Le_p} {mon_p} {du_p} {un_p} (with article) and {e} {s} {est} (agreement).
"""
from __future__ import annotations

# --- planted personal data (all fictional) -------------------------------------------------
CARD = "4970 1012 3456 7893"  # Luhn-valid test number
IBAN = "FR76 3000 6000 0112 3456 7890 189"  # valid mod-97 check digits, fake account
PHONES = ["+33 6 12 34 56 78", "06.12.34.56.78", "0612345678", "06 12 34 56 78", "+33781224590",
          "07 81 22 45 90", "01 42 68 53 00"]
ADDRESSES = ["12 rue des Lilas, 69003 Lyon", "8 allée des Tilleuls, 44000 Nantes",
             "27 boulevard Victor Hugo, 06000 Nice", "3 bis impasse du Moulin, 31200 Toulouse",
             "45 avenue de la République, 75011 Paris"]

# --- vocabulary -----------------------------------------------------------------------------
FIRST = ("Claire Jean Sophie Lucas Camille Nicolas Julie Thomas Manon Hugo Léa Antoine Chloé Maxime "
         "Inès Pierre Emma Julien Sarah Mathieu Hélène Karim Nadia Yann Élodie François Aurélie "
         "Mehdi Laura Olivier Céline Romain Amandine Bruno Agnès Théo Margaux Rachid Anaïs Gilles").split()
LAST = ("Martin Dupont Bernard Petit Durand Leroy Moreau Simon Laurent Lefèvre Michel Garcia David "
        "Bertrand Roux Vincent Fournier Morel Girard André Mercier Blanc Guérin Boyer Garnier "
        "Chevalier Francois Legrand Gauthier Perrin Robin Clément Morin Nicolas Henry Roussel "
        "Mathieu Masson Marchand Duval").split()
ADVISERS = ["Sophie", "Karim", "Julie", "Thomas", "Inès", "Marc", "Nadia", "Lucie"]
PRODUCTS = [tuple(p.split(":")) for p in (  # gender/number : name
    "m:canapé 3 places|f:lampe de chevet|f:table basse en chêne|m:lot de 6 verres|m:miroir rond|f:étagère murale|"
    "m:plaid en laine|m:fauteuil en velours|mp:rideaux occultants|f:bibliothèque|f:suspension en rotin|f:parure de lit|"
    "m:vase en céramique|f:commode|m:tabouret de bar|m:tapis berbère|m:buffet scandinave|m:lampadaire|m:service de table|"
    "f:chaise de bureau|mp:coussins en lin|f:table de chevet|m:porte-manteau|m:luminaire LED|fp:chaises en rotin|"
    "m:matelas|f:armoire en pin|m:bureau d'angle|fp:assiettes en grès|m:lit 140x190|f:horloge murale").split("|")]
CITIES = ["Lyon", "Nantes", "Lille", "Bordeaux", "Marseille", "Toulouse", "Rennes", "Strasbourg",
          "Grenoble", "Montpellier", "Dijon", "Tours", "Nice", "Rouen", "Metz", "Brest"]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre"]
MON_ABBR = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]
DAY_ABBR = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."]
DAY_FULL = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


def lines(block: str) -> list[str]:
    return [s.strip() for s in block.strip().splitlines() if s.strip()]


# Sentence templates per (theme, polarity); slots: see the module docstring.
T = {
    ("livraison", "neg"): lines("""
        Ma commande n° {order} devait arriver il y a {n} jours et toujours rien.
        Colis toujours pas arrivé, {carrier} ne répond ni au téléphone ni aux mails.
        J'attends {mon_p} depuis le {since}, la date de livraison a été repoussée trois fois.
        Le carton était complètement défoncé à l'arrivée et {le_p} {est} arrivé{e} rayé{e}.
        Le livreur a noté "absent" alors que j'étais chez moi toute la journée.
        Mon colis a été déposé dans un {relay} à l'autre bout de {city} sans me prévenir.
        Impossible de joindre {carrier}, le numéro sonne dans le vide.
        Livraison prévue entre 8h et 13h, personne n'est venu et aucun message.
        Le colis est marqué livré mais je n'ai rien reçu, ni dans ma boîte ni chez les voisins.
        Le {relay} me dit qu'il n'a jamais reçu mon colis.
        Deux semaines de retard pour une simple livraison, c'est beaucoup trop long.
        Le transporteur a laissé le carton sous la pluie devant la porte, {le_p} {est} abîmé{e}.
        La livraison à domicile est un vrai problème avec {carrier}.
        Colis bloqué au dépôt de {city} depuis {n} jours sans explication.
    """),
    ("livraison", "angry"): lines("""
        C'est INADMISSIBLE, trois semaines que j'attends ma commande n° {order} !
        {carrier} est une catastrophe, personne ne répond et mon colis a disparu.
        Plus jamais je ne commanderai chez vous tant que vous travaillez avec {carrier}.
        Je veux être remboursé immédiatement, le colis n'est toujours pas arrivé.
        Troisième relance et toujours aucune nouvelle de mon colis, c'est du foutage de gueule.
        Je vais saisir la répression des fraudes, livraison promise le {since} et toujours rien.
        Colis perdu, carton éventré, personne au téléphone : service de livraison lamentable.
        On me balade entre Maison Lumière et {carrier} depuis {n} jours, j'en ai marre.
        Le livreur a jeté le carton par-dessus le portail, {le_p} {est} en morceaux.
        SCANDALEUX, mon colis est "en cours d'acheminement" depuis le {since}.
    """),
    ("livraison", "pos"): lines("""
        Livré en 48h, nickel.
        Livraison rapide et soignée, le livreur a même monté {le_p} à l'étage.
        Colis bien emballé, arrivé avant la date prévue.
        Le livreur de {carrier} était ponctuel et très poli.
        Retrait au {relay} très simple, rien à redire.
    """),
    ("livraison", "neu"): lines("""
        Est-ce que la livraison est possible le samedi ?
        Je voudrais savoir quand ma commande n° {order} sera livrée.
        Peut-on changer l'adresse de livraison après la commande ?
        Livraison dans les délais annoncés, sans plus.
    """),
    ("paiement", "neg"): lines("""
        Ma carte a été refusée au moment de payer alors qu'elle fonctionne partout ailleurs.
        J'ai été débité deux fois pour la même commande n° {order}, soit {amount} en trop.
        La page 3-D Secure tourne en boucle, impossible de valider le paiement.
        Paiement refusé trois fois de suite puis débité deux fois, bravo.
        Après la validation 3D Secure je reviens sur le panier et rien n'est enregistré.
        Double débit de {amount} sur mon compte et personne ne sait me dire quand je serai remboursé.
        Le paiement plante au moment de la confirmation, message "transaction refusée".
        Ma banque me confirme que le paiement est passé mais votre site dit "carte refusée".
        Bug au paiement : la page de ma banque se recharge à l'infini.
        Débitée deux fois, j'attends toujours le remboursement du doublon.
    """),
    ("paiement", "neu"): lines("""
        Est-il possible de payer en trois fois sans frais ?
        Je n'arrive pas à savoir si mon paiement est passé ou non.
        Vous acceptez PayPal ou seulement la carte bancaire ?
    """),
    ("paiement", "pos"): lines("""
        Paiement en trois fois très pratique.
        Le paiement par carte s'est fait sans aucun souci.
    """),
    ("service", "pos"): lines("""
        Un grand merci à {adviser} du service client, très à l'écoute et efficace.
        Conseiller très aimable qui a trouvé une solution en cinq minutes.
        Service client réactif, réponse reçue dans la journée.
        {adviser} a été d'une patience incroyable, bravo à elle.
        Le conseiller m'a rappelé comme promis, c'est rare de nos jours.
        Excellent accueil au téléphone, on sent que les équipes sont formées.
        Service client au top, problème réglé rapidement et avec le sourire.
        Merci à {adviser} pour le geste commercial, c'est très apprécié.
    """),
    ("service", "neg"): lines("""
        Impossible de joindre le service client, 40 minutes d'attente au téléphone.
        Réponses automatiques et copiées-collées, personne ne lit vraiment les messages.
        Le conseiller m'a raccroché au nez.
        J'ai envoyé quatre mails au service client sans aucune réponse.
        On me promet un rappel sous 48h et personne ne rappelle jamais.
    """),
    ("service", "neu"): lines("""
        Quels sont les horaires du service client ?
        J'ai contacté le service client par chat pour une question de facture.
    """),
    ("produit", "pos"): lines("""
        {Le_p} {est} magnifique{s}, encore mieux qu'en photo.
        Très bonne qualité de fabrication, {le_p} {est} solide{s} et bien fini{e}.
        Je suis ravie de {mon_p}, les finitions sont soignées.
        Matières de qualité, couleurs conformes au site.
        {Le_p} {est} facile{s} à monter et très stable{s}.
    """),
    ("produit", "neg"): lines("""
        {Le_p} {est} de mauvaise qualité, cassé{e} au bout d'une semaine.
        La couleur {du_p} ne correspond pas du tout à la photo.
        Il manquait des vis dans le carton {du_p}, montage impossible.
        Finitions décevantes pour le prix, le bois s'écaille déjà.
        {Le_p} {est} bien plus petit{e} que ce qui est indiqué sur le site.
    """),
    ("produit", "neu"): lines("""
        {Le_p} {est} correct{e} pour le prix.
        Avez-vous {le_p} dans une autre couleur ?
    """),
    ("site", "pos"): lines("""
        Le site est clair et agréable, on trouve facilement ce qu'on cherche.
        L'application est fluide et les filtres sont pratiques.
        Très bonne idée la visualisation des meubles dans la pièce avec l'appli.
        Commande passée en deux minutes sur l'appli, très simple.
    """),
    ("site", "neg"): lines("""
        Le site est lent et plante souvent sur mobile.
        Les filtres de recherche ne fonctionnent pas, on tombe sur des produits sans rapport.
        L'application se ferme toute seule quand j'ouvre le panier.
        Le panier se vide tout seul, j'ai dû recommencer trois fois.
        Navigation compliquée, impossible de trouver les frais de livraison avant la fin.
    """),
    ("site", "neu"): lines("""
        Il faudrait pouvoir trier par prix croissant dans l'application.
        J'ai passé commande sur le site depuis mon ordinateur.
    """),
    ("retours", "pos"): lines("""
        Retour gratuit et remboursement reçu en moins d'une semaine.
        Procédure de retour très simple, étiquette envoyée par mail.
        Remboursement rapide après le retour {du_p}, merci.
        Échange {du_p} sans aucune difficulté.
    """),
    ("retours", "neg"): lines("""
        J'ai renvoyé {le_p} il y a un mois et je ne suis toujours pas remboursé.
        Le remboursement de {amount} n'est jamais arrivé malgré mes relances.
        On me demande de payer le retour alors que le produit était défectueux.
        Retour refusé sous prétexte que le carton d'origine était abîmé.
        Le formulaire de retour ne fonctionne pas sur le site.
    """),
    ("retours", "neu"): lines("""
        Comment faire pour retourner {un_p} ?
        Quel est le délai de remboursement après un retour ?
    """),
    ("fidelite", "pos"): lines("""
        Le programme fidélité est intéressant, j'ai déjà {points} points.
        Bon d'achat fidélité reçu pour mon anniversaire, sympa.
        Les avantages de la carte Lumière+ valent vraiment le coup.
    """),
    ("fidelite", "neg"): lines("""
        Mes points fidélité ont disparu de mon compte.
        Le bon d'achat fidélité n'est pas accepté au paiement.
        Programme fidélité sans intérêt, il faut dépenser une fortune pour avoir 5 euros.
    """),
    ("fidelite", "neu"): lines("""
        Comment utiliser mes points fidélité ?
        Je n'ai pas compris comment fonctionne le programme Lumière+.
    """),
    ("prix", "pos"): lines("""
        Très bon rapport qualité-prix.
        Les promotions du Black Friday étaient vraiment intéressantes.
        Prix raisonnables pour du mobilier de cette qualité.
        Le code promo {code} a bien fonctionné, {pct} % de réduction.
    """),
    ("prix", "neg"): lines("""
        Les prix ont augmenté de {pct} % en un mois, c'est abusé.
        Le code promo {code} ne marche pas.
        Frais de livraison beaucoup trop chers pour un petit colis.
        {Le_p} {est} passé{e} en promo deux jours après mon achat, aucun geste.
    """),
    ("prix", "neu"): lines("""
        Y aura-t-il des promotions pour le Black Friday ?
        Les prix sont dans la moyenne du marché.
    """),
    ("suivi", "neg"): lines("""
        Le suivi de commande n'est pas mis à jour depuis {n} jours.
        Le lien de suivi envoyé par mail ne fonctionne pas.
        Aucune information sur l'état de ma commande n° {order} dans mon espace client.
        Le numéro de suivi n'existe pas chez {carrier}.
    """),
    ("suivi", "pos"): lines("""
        Suivi de commande clair avec des notifications à chaque étape.
        J'ai pu suivre mon colis en temps réel, très rassurant.
    """),
    ("suivi", "neu"): lines("""
        Où puis-je trouver le numéro de suivi de ma commande ?
        Le statut de ma commande indique "en préparation".
    """),
    ("compte", "neg"): lines("""
        Impossible de me connecter à mon compte, le mot de passe est refusé.
        Je ne reçois jamais le mail de réinitialisation du mot de passe.
        Mon compte a été bloqué après trois tentatives de connexion.
        Le code de vérification par SMS n'arrive pas.
        Mes adresses enregistrées ont disparu de mon compte.
    """),
    ("compte", "neu"): lines("""
        Comment supprimer mon compte client ?
        Je voudrais modifier l'adresse mail de mon compte.
    """),
    ("compte", "pos"): lines("""
        Création de compte rapide et connexion avec Google pratique.
    """),
    ("general", "pos"): lines("""
        Très satisfaite dans l'ensemble, je recommande Maison Lumière.
        Troisième commande chez vous et toujours aussi contente.
        Une belle enseigne, je reviendrai.
        Rien à dire, tout s'est bien passé.
    """),
    ("general", "neg"): lines("""
        Très déçu par Maison Lumière, je ne recommande pas.
        Expérience globalement décevante.
        Je ne commanderai plus chez vous.
    """),
    ("general", "neu"): lines("""
        Bof, ni bien ni mal.
        Première commande, on verra la suite.
        RAS.
    """),
}
# Short clauses for mixed verbatims ("livraison en retard mais conseiller très aimable").
CLAUSES = {
    "livraison": (["livraison en retard", "colis arrivé abîmé", "livreur injoignable",
                   "{n} jours de retard à la livraison"], ["livraison rapide", "livreur très sympa"]),
    "paiement": (["paiement refusé deux fois", "débité deux fois"], ["paiement simple"]),
    "service": (["service client difficile à joindre"], ["conseiller très aimable", "{adviser} du service client au top",
                                                          "service client très réactif"]),
    "produit": (["qualité moyenne", "{le_p} un peu fragile{s}"], ["produit superbe", "{le_p} de très bonne qualité"]),
    "site": (["site très lent", "appli qui plante"], ["site agréable", "appli pratique"]),
    "retours": (["remboursement très long"], ["retour facile", "remboursement rapide"]),
    "prix": (["frais de port trop chers", "prix un peu élevés"], ["prix corrects", "belle promo"]),
    "suivi": (["suivi jamais à jour"], ["suivi précis"]),
}
CONJ = [" mais ", ", par contre ", ", en revanche ", " mais bon, ", " mais ", ". Heureusement, "]
SUGGEST = {
    "livraison": ["Changer de transporteur !", "Proposer des créneaux de livraison le samedi.",
                  "Prévenir par SMS quand le colis a du retard.", "Mieux protéger les cartons."],
    "paiement": ["Corriger le bug de paiement au plus vite.", "Rembourser automatiquement les doubles débits."],
    "service": ["Un chat disponible le soir.", "Rappeler les clients quand c'est promis."],
    "produit": ["Mettre des photos plus réalistes.", "Indiquer les dimensions exactes."],
    "site": ["Une appli plus stable.", "Afficher les frais de port dès la fiche produit."],
    "retours": ["Accélérer les remboursements.", "Retour gratuit en point relais."],
    "fidelite": ["Des points qui n'expirent pas.", "Plus d'avantages pour les clients fidèles."],
    "prix": ["Baisser les frais de livraison.", "Plus de codes promo pour les abonnés."],
    "suivi": ["Un suivi de commande en temps réel.", "Un lien de suivi qui fonctionne."],
    "compte": ["Simplifier la connexion.", "Un mot de passe oublié qui marche."],
    "general": ["Continuez comme ça !", "Rien, tout est parfait.", "Plus de choix en luminaires."],
}
POLARITY = {  # share of neg / neu / pos per theme
    "livraison": (.70, .15, .15), "paiement": (.85, .10, .05), "service": (.25, .10, .65),
    "produit": (.35, .15, .50), "site": (.45, .20, .35), "retours": (.45, .15, .40),
    "fidelite": (.30, .25, .45), "prix": (.35, .20, .45), "suivi": (.50, .25, .25),
    "compte": (.70, .20, .10), "general": (.20, .20, .60),
}
BASE_RATE = {"livraison": .16, "paiement": .03, "service": .14, "produit": .13, "site": .09,
             "retours": .09, "fidelite": .06, "prix": .09, "suivi": .08, "compte": .07, "general": .06}
WEEKDAY = [1.25, 1.15, 1.05, 1.0, 0.9, 0.75, 0.7]  # Monday .. Sunday
HASHTAGS = {"livraison": ["#livraison", "#colère", "#Transexpress", "#colis"], "paiement": ["#paiement", "#bug"],
            "service": ["#serviceclient", "#merci"], "produit": ["#deco", "#homedecor", "#qualité"],
            "site": ["#appli", "#bug"], "retours": ["#remboursement"], "fidelite": ["#fidélité"],
            "prix": ["#promo", "#BlackFriday"], "suivi": ["#suivi", "#colis"], "compte": ["#bug"],
            "general": ["#deco", "#maison"]}
EMOJI = {"neg": ["😡", "😤", "🤬", "😞", "👎", "🙄"], "pos": ["👍", "❤️", "😍", "🙏", "✨", "😊"],
         "neu": ["🤔", "🙏", ""], "mixed": ["🤷", "😕", "🙏"]}
SHORT = [("s'il vous plaît", "svp"), ("s'il te plaît", "stp"), ("beaucoup", "bcp"), ("problème", "pb"),
         ("commande", "cmd"), ("toujours", "tjrs"), ("je ne sais pas", "jsp"), ("pourquoi", "pk"),
         ("quand même", "qd même"), ("aujourd'hui", "auj"), ("vraiment", "vrmt"), ("rendez-vous", "rdv"),
         ("Bonjour", "slt"), ("message", "msg"), ("c'est", "c"), ("je suis", "chui"), ("avec", "avc")]
STRETCH = [("très", "trèèès"), ("super", "supeeer"), ("nul", "nuuul"), ("merci", "merciiii"),
           ("long", "looong"), ("jamais", "jamaiiis")]


BOT_OPEN = ["Bonjour 👋 Je suis Lumi, l'assistant virtuel de Maison Lumière. Comment puis-je vous aider ?",
            "Bienvenue chez Maison Lumière ! Posez-moi votre question."]
BOT_HANDOFF = ["Je vous mets en relation avec un conseiller, merci de patienter.",
               "Je n'ai pas compris votre demande. Un conseiller va vous répondre."]
AGENT_REPLY = {"neg": ["Je suis vraiment désolé(e) pour ce désagrément, je fais le nécessaire tout de suite.",
                       "Je comprends votre mécontentement. J'ouvre une réclamation et je vous tiens informé(e) sous 48h.",
                       "Je viens de relancer le transporteur, vous recevrez un mail dès que j'ai une réponse."],
               "pos": ["Merci beaucoup pour votre retour, cela fait plaisir !", "Ravi(e) que tout se soit bien passé."],
               "neu": ["Je regarde cela pour vous.", "Voici la réponse : c'est possible depuis votre espace client, rubrique Mes commandes."],
               "mixed": ["Merci pour votre retour, je transmets la remarque à l'équipe concernée."]}
CLIENT_END = ["merci beaucoup, bonne journée", "ok merci", "Merci, bonne soirée", "merci bcp", "d'accord merci 🙏",
              "c'est pas normal quand même", "ok", "Super merci {adviser} !", "merci pour votre aide, au revoir"]
GREET = ["bonjour", "Bonjour", "slt", "bonsoir", "Bonjour,", "hello", "bjr"]


SUBJECTS = {"livraison": ["Colis toujours pas arrivé - commande {order}", "Retard de livraison", "Colis abîmé",
                          "Réclamation livraison {order}"],
            "paiement": ["Réclamation : double débit", "Paiement refusé", "Problème de paiement commande {order}"],
            "service": ["Remerciements", "Merci pour votre aide", "Service client injoignable"],
            "produit": ["À propos de {mon_p}", "Produit défectueux", "Question produit"],
            "site": ["Problème sur le site", "Application"], "retours": ["Retour produit", "Remboursement {order}"],
            "fidelite": ["Programme fidélité", "Points fidélité"], "prix": ["Code promo", "Prix"],
            "suivi": ["Suivi de commande {order}", "Où en est ma commande ?"], "compte": ["Problème de connexion à mon compte"],
            "general": ["Mon avis", "Commande"]}
AGENT_MAIL = ["Bonjour,", "Merci pour votre message. Nous avons bien pris en compte votre demande et reviendrons vers vous "
              "sous 48h.", "Bien cordialement,", "{adviser}, Service client Maison Lumière"]
