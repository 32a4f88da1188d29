"""The référentiel's first version: five items per domain, in plain French, written from
the HAS recommendations (2024) by Jalon's team. Each is marked for the département to
validate. Frozen here: a later wording is a new item of a new version, never an edit."""

from django.db import migrations

ITEMS = {
    "schooling": [
        ("school-follow", "Je vais en cours ou en formation et je sais qui appeler si je ne peux pas venir."),
        ("school-choose", "Je connais les formations qui mènent au métier que je veux faire."),
        ("school-enrol", "Je sais m'inscrire dans une formation (Parcoursup, CFA, lycée, mission locale)."),
        ("school-grant", "Je sais demander une bourse ou une aide pour mes études."),
        ("school-papers", "Je garde mes diplômes et bulletins dans un endroit sûr."),
    ],
    "employment": [
        ("job-cv", "J'ai un CV et une lettre de motivation à jour."),
        ("job-search", "Je sais chercher une offre d'emploi, de stage ou d'apprentissage."),
        ("job-interview", "Je sais me préparer à un entretien d'embauche."),
        ("job-contract", "Je comprends un contrat de travail et une fiche de paie."),
        ("job-register", "Je sais m'inscrire à France Travail ou à la mission locale."),
    ],
    "housing": [
        ("housing-find", "Je sais où chercher un logement (foyer jeunes travailleurs, résidence, location)."),
        ("housing-file", "Je sais constituer un dossier de logement (pièces, garant, Visale)."),
        ("housing-apl", "Je sais demander l'aide au logement de la CAF."),
        ("housing-keep", "Je sais entretenir mon logement et vivre avec des voisins."),
        ("housing-urgent", "Je sais qui appeler si je me retrouve sans logement (115)."),
    ],
    "resources": [
        ("budget-plan", "Je sais faire mon budget du mois : ce qui rentre, ce qui sort."),
        ("budget-bank", "J'ai un compte bancaire et je sais l'utiliser (carte, virement, découvert)."),
        ("budget-bills", "Je paie mes factures à temps (loyer, téléphone, énergie)."),
        ("budget-rights", "Je connais les aides auxquelles j'ai droit et je sais les demander."),
        ("budget-debt", "Je sais à qui m'adresser si j'ai des dettes."),
    ],
    "health": [
        ("health-card", "J'ai ma carte Vitale et une complémentaire santé (C2S)."),
        ("health-doctor", "J'ai un médecin traitant et je sais prendre rendez-vous."),
        ("health-medicine", "Je sais acheter et prendre un médicament prescrit."),
        ("health-mind", "Je sais où trouver de l'aide si je ne vais pas bien dans ma tête."),
        ("health-eat", "Je sais faire mes courses et préparer des repas simples."),
    ],
    "rights": [
        ("rights-id", "J'ai une pièce d'identité valide et je sais la renouveler."),
        ("rights-permit", "Si j'en ai besoin, je sais quand et comment demander mon titre de séjour."),
        ("rights-mail", "Je sais lire un courrier administratif et y répondre."),
        ("rights-online", "J'ai mes comptes en ligne (CAF, ameli, impots.gouv) et leurs mots de passe."),
        ("rights-help", "Je sais où trouver de l'aide pour mes démarches (point justice, France services)."),
    ],
    "mobility": [
        ("mobility-transport", "Je sais me déplacer en transports en commun, même pour un trajet nouveau."),
        ("mobility-pass", "Je sais demander une réduction ou un abonnement de transport."),
        ("mobility-licence", "Je sais comment passer le permis de conduire et le financer."),
        ("mobility-far", "Je sais préparer un trajet vers une autre ville (billet, horaires)."),
    ],
    "social": [
        ("social-people", "J'ai des personnes sur qui compter en cas de problème."),
        ("social-activity", "J'ai une activité qui me plaît (sport, culture, association)."),
        ("social-family", "Je sais ce que je veux pour mes liens avec ma famille."),
        ("social-safe", "Je sais me protéger et demander de l'aide face à une violence."),
        ("social-digital", "Je sais protéger mes données et ma vie privée en ligne."),
    ],
}


def load(apps, schema_editor):
    AssessmentItem = apps.get_model("autonomy", "AssessmentItem")
    for domain, items in ITEMS.items():
        for position, (key, text) in enumerate(items):
            AssessmentItem.objects.update_or_create(
                key=key,
                defaults={"domain": domain, "text": text, "position": position, "version": 1},
            )


def unload(apps, schema_editor):
    AssessmentItem = apps.get_model("autonomy", "AssessmentItem")
    keys = [key for items in ITEMS.values() for key, _text in items]
    AssessmentItem.objects.filter(key__in=keys, answers__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("autonomy", "0003_projet_assessment_check_in")]

    operations = [migrations.RunPython(load, unload)]
